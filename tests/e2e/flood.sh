#!/bin/bash
# End-to-end: a guest that prints 200 MiB is cut at the output cap (16 MiB
# by default), fails as a flood, and the launcher's memory stays bounded.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

yaml_has()
{
	yaml_of "$1" | grep -aqiE -- "$2"
}

if under_wrapper; then
	# 200 MiB through valgrind takes minutes and proves nothing more.
	skip "flood_is_not_ok" "200 MiB flood under $KUT_WRAPPER"
	e2e_finish
	exit
fi

have_gnu_time()
{
	[ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null
}

if have_gnu_time; then
	KUT_WRAPPER="/usr/bin/time -f %M -o $E2E/state/maxrss"
fi
kut flood
KUT_WRAPPER=

check "flood_is_not_ok" tap_not_ok flood
check "flood_exits_1" rc_is 1
check "flood_yaml_names_the_cap" yaml_has flood "flood|output|cap|MiB|too much"
check "flood_is_cut_well_before_200_mib" elapsed_below 30000
check "flood_leaves_no_process" no_leftovers
tap_is_small()
{
	[ "$(stat -c %s "$E2E/out")" -lt 1048576 ]
}
check "flood_is_not_copied_into_the_tap" tap_is_small
logs_are_capped()
{
	local bytes
	bytes=$(du -sb "$E2E/logs" | cut -f1)
	diag "log dir: $bytes bytes"
	[ "$bytes" -lt $((20 * 1048576)) ]
}
check "flood_log_is_capped" logs_are_capped

kut flood-stderr
check "stderr_flood_is_not_ok" tap_not_ok flood-stderr
check "stderr_flood_is_cut_well_before_200_mib" elapsed_below 30000
check "stderr_flood_leaves_no_process" no_leftovers

if have_gnu_time; then
	rss_kib=$(tail -n 1 "$E2E/state/maxrss")
	diag "launcher max RSS: $rss_kib KiB"
	check "flood_keeps_launcher_max_rss_under_64_mib" \
		test "${rss_kib:-999999}" -lt 65536
else
	skip "flood_keeps_launcher_max_rss_under_64_mib" \
		"GNU time (package 'time') is not installed"
fi

e2e_finish
