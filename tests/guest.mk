# The guest suites: each built arch's default set through the launcher, once
# per accelerator. A script's name says which: tests/guest/<arch>-<accel>.sh.

EXTRA_DIST += tests/guest/x86_64-kvm.sh tests/guest/x86_64-tcg.sh

if ARCH_X86_64
TESTS += tests/guest/x86_64-kvm.sh tests/guest/x86_64-tcg.sh
endif

EXTRA_DIST += tests/guest/i386-kvm.sh tests/guest/i386-tcg.sh

if ARCH_I386
TESTS += tests/guest/i386-kvm.sh tests/guest/i386-tcg.sh
endif

EXTRA_DIST += tests/guest/aarch64-kvm.sh tests/guest/aarch64-tcg.sh

if ARCH_AARCH64
TESTS += tests/guest/aarch64-kvm.sh tests/guest/aarch64-tcg.sh
endif

EXTRA_DIST += tests/guest/arm-kvm.sh tests/guest/arm-tcg.sh

if ARCH_ARM
TESTS += tests/guest/arm-kvm.sh tests/guest/arm-tcg.sh
endif

EXTRA_DIST += tests/guest/ppc64le-kvm.sh tests/guest/ppc64le-tcg.sh

if ARCH_PPC64LE
TESTS += tests/guest/ppc64le-kvm.sh tests/guest/ppc64le-tcg.sh
endif

EXTRA_DIST += tests/guest/ppc64-kvm.sh tests/guest/ppc64-tcg.sh

if ARCH_PPC64
TESTS += tests/guest/ppc64-kvm.sh tests/guest/ppc64-tcg.sh
endif
