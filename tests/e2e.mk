# End-to-end tests of the launcher: each script runs $(builddir)/kvm-unit-tests
# (exported as $KUT by AM_TESTS_ENVIRONMENT) against the fake QEMU of
# tests/fake-qemu/ and prints TAP. tests/e2e/lib.sh holds what they share.

E2E_TESTS = \
	tests/e2e/cli.sh \
	tests/e2e/qemu-lookup.sh \
	tests/e2e/verdicts.sh \
	tests/e2e/argv.sh \
	tests/e2e/expect.sh \
	tests/e2e/parallel.sh \
	tests/e2e/timeout.sh \
	tests/e2e/flood.sh \
	tests/e2e/interrupt.sh \
	tests/e2e/tap-consumers.sh \
	tests/e2e/real-guest.sh \
	tests/e2e/junit.sh \
	tests/e2e/man-help.sh \
	tests/e2e/staged-install.sh \
	tests/e2e/shard.sh \
	tests/e2e/schedule.sh \
	tests/e2e/exec-count.sh \
	tests/e2e/faults.sh \
	tests/e2e/images.sh \
	tests/e2e/logs.sh \
	tests/e2e/host-kernel.sh \
	tests/e2e/check-kvm.sh \
	tests/e2e/migration.sh

TESTS += $(E2E_TESTS)
# tests/e2e/migration.sh's QEMU: serves QMP, moves a state between sockets
check_PROGRAMS += tests/fake-qemu/fake-qemu-mig
tests_fake_qemu_fake_qemu_mig_SOURCES = tests/fake-qemu/fake-qemu-mig.c
EXTRA_DIST += $(E2E_TESTS) \
	tests/e2e/lib.sh \
	tests/e2e/fake.cfg \
	tests/e2e/migration.cfg \
	tests/junit.xsd \
	tests/fake-qemu/fake-qemu.sh \
	tests/fake-qemu/fake-host-qemu.pl \
	tests/sanitizers.sh \
	bench/launcher-overhead \
	bench/lib.sh bench/boot bench/suite bench/check-time

# The launcher built with ASan+UBSan in a separate tree, then under valgrind,
# running the host-side tests (slow: not part of `make check`).
check-sanitizers:
	$(SHELL) $(srcdir)/tests/sanitizers.sh

# The default set KUT_SOAK_ROUNDS (20) times at -j 2: same verdicts, no
# stray process, temp file or descriptor growth (tests/soak; issue 8).
soak: $(builddir)/kvm-unit-tests$(EXEEXT)
	bash $(srcdir)/tests/soak $(builddir)/kvm-unit-tests$(EXEEXT)
EXTRA_DIST += tests/soak

# What the launcher adds to a test's wall time (bench/launcher-overhead).
bench-launcher-overhead: $(builddir)/kvm-unit-tests$(EXEEXT)
	$(SHELL) $(srcdir)/bench/launcher-overhead $(builddir)/kvm-unit-tests$(EXEEXT)

# Issue 7's benchmarks (docs/performance.md): boot-to-exit, the default
# set, make check and build times.
bench-boot: $(builddir)/kvm-unit-tests$(EXEEXT)
	$(SHELL) $(srcdir)/bench/boot $(builddir)/kvm-unit-tests$(EXEEXT)
bench-suite: $(builddir)/kvm-unit-tests$(EXEEXT)
	$(SHELL) $(srcdir)/bench/suite $(builddir)/kvm-unit-tests$(EXEEXT)
bench-check-time:
	$(SHELL) $(srcdir)/bench/check-time --build $(builddir)

.PHONY: check-sanitizers soak bench-launcher-overhead bench-boot bench-suite bench-check-time
