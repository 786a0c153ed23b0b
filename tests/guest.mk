# The guest suites: each built arch's default set through the launcher, once
# per accelerator. A script's name says which: tests/guest/<arch>-<accel>.sh.

EXTRA_DIST += tests/guest/x86_64-kvm.sh tests/guest/x86_64-tcg.sh

if ARCH_X86_64
TESTS += tests/guest/x86_64-kvm.sh tests/guest/x86_64-tcg.sh
endif
