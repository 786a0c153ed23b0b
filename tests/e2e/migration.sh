#!/bin/bash
# End-to-end: live migration (launcher/migrate.c, DESIGN.md "Migration")
# against tests/fake-qemu/fake-qemu-mig, which serves QMP and moves a hop
# counter from source to destination: a migration that completes lets the
# guest go on on the destination; a destination that refuses, a QMP
# error, a failed or never-completing migration, a guest of the group that
# never asks and one that asks outside the group each fail with the
# reason; MIGRATE: SKIP is a SKIP. No QEMU, socket or folder is left.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

FAKE_MIG=${top_builddir}/tests/fake-qemu/fake-qemu-mig
if [ ! -x "$FAKE_MIG" ]; then
	echo "Bail out! $FAKE_MIG not built (make check builds it)"
	exit 1
fi
cp "$FAKE_MIG" "$FAKE"
CFG=$top_srcdir/tests/e2e/migration.cfg
for m in mig-pass mig-pass3 mig-refuse mig-qmp-error mig-failed mig-never \
	mig-no-go mig-no-ask mig-skip; do
	echo "fake image: $m" >"$E2E/img/x86_64/$m.flat"
done

yaml_has()
{
	yaml_of "$1" | grep -aqE -- "$2"
}

# log_has TEST REGEX: the test's log (wherever --log-dir puts it) matches.
log_has()
{
	local f
	f=$(find "$E2E/logs" -name "$1.log" | head -n 1)
	[ -n "$f" ] && grep -aqE -- "$2" "$f"
}

kut mig-pass
check "migration_completes_and_the_guest_goes_on" tap_ok mig-pass
check "the_destination_prints_after_the_go_on_byte" \
	log_has mig-pass "PASS: fake: runs on the destination after hop 1"
check "yaml_counts_one_migration" yaml_has mig-pass "migrations: 1$"
check "launcher_exits_0" rc_is 0

kut mig-pass3
check "three_migrations_in_a_row" tap_ok mig-pass3
check "yaml_counts_three_migrations" yaml_has mig-pass3 "migrations: 3$"
check "the_state_travels_each_hop" log_has mig-pass3 "after hop 3"

kut mig-refuse
check "destination_refusing_fails_the_test" tap_not_ok mig-refuse
check "refusal_reason_names_the_destination_exit" \
	yaml_has mig-refuse 'reason: "migration 1 failed: the destination QEMU exited with status 1'
check "refusal_reason_has_qemu_own_words" \
	yaml_has mig-refuse "Failed to bind socket"

kut mig-qmp-error
check "qmp_error_fails_the_test" tap_not_ok mig-qmp-error
check "qmp_error_reason_is_qemu_desc" \
	yaml_has mig-qmp-error 'reason: "migration 1 failed: source: migrate: fake: migration blocked by device \\"fake-dev\\""'

kut mig-failed
check "failed_migration_fails_the_test" tap_not_ok mig-failed
check "failed_migration_reason_is_error_desc" \
	yaml_has mig-failed "migration failed: fake: Unable to write to socket: Broken pipe"

kut --timeout-factor 0.5 mig-never
check "never_completing_migration_fails" tap_not_ok mig-never
check "never_completing_reason_names_the_migration_and_status" \
	yaml_has mig-never "timeout after [0-9.]+s during migration 1, which never completed \(QEMU's last status: active\)"
if under_wrapper; then
	skip "the_timeout_covers_the_migration" "timing under $KUT_WRAPPER"
else
	check "the_timeout_covers_the_migration" elapsed_below 20000
fi

kut --timeout-factor 0.5 mig-no-go
check "a_destination_hang_after_the_switch_is_a_timeout" tap_not_ok mig-no-go
check "no_go_reason_is_the_timeout" yaml_has mig-no-go 'reason: "timeout after'
check "no_go_counts_the_completed_migration" yaml_has mig-no-go "migrations: 1$"

kut mig-no-ask
check "never_asking_is_not_a_pass" tap_not_ok mig-no-ask
check "never_asking_says_so" \
	yaml_has mig-no-ask "in the migration group but never asked to migrate"

kut mig-skip
check "migrate_skip_is_a_skip" tap_directive mig-skip SKIP
check "migrate_skip_gives_the_guest_reason" \
	out_has "# SKIP asked for no migration: fake: nothing to migrate here"

kut mig-not-in-group
check "asking_outside_the_group_fails" tap_not_ok mig-not-in-group
check "asking_outside_the_group_says_so" \
	yaml_has mig-not-in-group "not in the migration group"

kut -j 4 mig-pass mig-pass3 mig-refuse mig-qmp-error mig-no-ask
check "in_parallel_the_same_verdicts" \
	test "$(grep -acE '^ok [0-9]+ - mig-pass3?( |$)' "$E2E/out"),$(grep -acE '^not ok ' "$E2E/out")" = "2,3"

e2e_finish
