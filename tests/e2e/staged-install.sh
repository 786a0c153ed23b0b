#!/bin/bash
# End-to-end: an installed kvm-unit-tests needs nothing of the build tree.
# `make install DESTDIR=...` stages the package; a copy of the stage at
# another place is run from a foreign cwd with KUT_IMAGES unset, and must
# take its images and its known-failures list from that copy, then boot
# selftest under TCG for each built arch. `make uninstall` must remove
# every file the install put there.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

builddir=$(cd "$top_builddir" && pwd)
# make check's jobserver is not ours to share
make_cmd=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$builddir")

if ! command -v "${MAKE:-make}" >/dev/null 2>&1 || [ ! -f "$builddir/Makefile" ]; then
	skip "staged_install" "no make or no Makefile in $builddir"
	e2e_finish
	exit
fi

STAGE=$E2E/stage
"${make_cmd[@]}" install DESTDIR="$STAGE" >"$E2E/install.log" 2>&1
rc=$?
check "make_install_destdir_succeeds" rc_is 0
[ "$rc" = 0 ] || diag_file "$E2E/install.log" 40

staged_bin=$(find "$STAGE" -path '*/bin/kvm-unit-tests' -type f | head -n 1)
check "launcher_is_staged_in_bindir" test -x "$staged_bin"
check "man_pages_are_staged" \
	test -n "$(find "$STAGE" -path '*/man1/kvm-unit-tests.1*')" \
	-a -n "$(find "$STAGE" -path '*/man5/kvm-unit-tests.cfg.5*')"
staged_kf=$(find "$STAGE" -path '*/doc/kvm-unit-tests/known-failures.md' | head -n 1)
check "known_failures_list_is_staged_in_docdir" test -f "$staged_kf"
# The arches whose selftest the build made (an arch may be configured
# before it has tests).
arches=
for arch in $GUEST_ARCHES; do
	if [ -f "$builddir/images/$arch/selftest.flat" ]; then
		arches="$arches $arch"
	else
		skip "selftest_image_is_staged_for_$arch" "no $arch selftest built"
	fi
done
for arch in $arches; do
	check "selftest_image_is_staged_for_$arch" \
		test -n "$(find "$STAGE" -path "*/share/kvm-unit-tests/$arch/selftest.flat")"
done

# The copy: same layout, another place, so that nothing can be found
# through the paths compiled in for the stage or the build tree.
MOVED=$E2E/moved
cp -a "$STAGE" "$MOVED"
bin=$MOVED${staged_bin#"$STAGE"}
kf=$MOVED${staged_kf#"$STAGE"}
# A marker entry only this copy's list has.
printf '\n```expect\nskip sieve * staged-install marker: the copy'"'"'s own list\n```\n' >>"$kf"

# run_staged ARGS...: the copy's launcher, cwd elsewhere, no KUT_IMAGES.
run_staged()
{
	(cd "$E2E/cwd" && exec env -u KUT_IMAGES -u QEMU TMPDIR="$E2E/tmp" \
		XDG_STATE_HOME="$E2E/state-home" KUT_E2E_MARKER="$E2E_MARKER" \
		"$E2E_TIMEOUT" -k 5 300 "$bin" "$@") >"$E2E/out" 2>"$E2E/err" </dev/null
	rc=$?
	e2e_cmd="$bin $*"
}

# the arch's own selftest entry: x86's is "selftest", arm's and powerpc's
# "selftest-setup" (both boot selftest.flat)
selftest_name()
{
	"$KUT" --arch "$1" --list 2>/dev/null |
		awk 'NR > 1 && $1 ~ /^selftest/ { print $1; exit }'
}
qemu_of()
{
	case $1 in
	ppc64le | ppc64) echo qemu-system-ppc64 ;;
	*) echo "qemu-system-$1" ;;
	esac
}

for arch in $arches; do
	selftest=$(selftest_name "$arch")
	run_staged --arch "$arch" --accel tcg --dry-run "$selftest"
	check "dry_run_works_for_$arch" rc_is 0
	kernel_is_the_copys()
	{
		grep -aqF -- "-kernel $MOVED/" "$E2E/out" && ! grep -aqF -- "$builddir/" "$E2E/out"
	}
	check "staged_launcher_boots_the_copys_image_for_$arch" kernel_is_the_copys

	if [ "$arch" = x86_64 ]; then
		run_staged --list
		check "staged_launcher_reads_the_copys_known_failures" \
			out_has "staged-install marker"
		# without the doc folder (rpm --excludedocs, dpkg path-exclude),
		# the copy beside the images serves
		data_kf=$(find "$MOVED" -path '*/share/kvm-unit-tests/known-failures.md' | head -n 1)
		if [ -f "$data_kf" ]; then
			mv "$kf" "$kf.hidden"
			printf '\n```expect\nskip sieve * pkgdatadir marker\n```\n' >>"$data_kf"
			run_staged --list
			check "without_docs_the_pkgdatadir_list_serves" out_has "pkgdatadir marker"
			mv "$kf.hidden" "$kf"
		else
			not_ok "without_docs_the_pkgdatadir_list_serves" \
				"no known-failures.md staged in pkgdatadir"
		fi
	fi

	if ! command -v "$(qemu_of "$arch")" >/dev/null 2>&1; then
		skip "staged_selftest_passes_under_tcg_for_$arch" "no $(qemu_of "$arch")"
		continue
	fi
	run_staged --arch "$arch" --accel tcg "$selftest"
	check "staged_selftest_passes_under_tcg_for_$arch" rc_is 0
	check "staged_selftest_is_ok_for_$arch" tap_ok "$selftest"
	check "staged_logs_go_to_xdg_state_home_for_$arch" \
		test -f "$E2E/state-home/kvm-unit-tests/$arch/$selftest.log"
done
check "nothing_written_to_the_cwd" test -z "$(ls -A "$E2E/cwd")"

"${make_cmd[@]}" uninstall DESTDIR="$STAGE" >"$E2E/uninstall.log" 2>&1
rc=$?
check "make_uninstall_destdir_succeeds" rc_is 0
left=$(find "$STAGE" -type f -o -type l)
if [ -z "$left" ]; then
	ok "make_uninstall_removes_every_file"
else
	not_ok "make_uninstall_removes_every_file" "left behind:" "$left"
fi

e2e_finish
