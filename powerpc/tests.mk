# What powerpc/ppc64le.mk and powerpc/ppc64.mk build: the tests (one
# powerpc/<name>.c each), the runtime and the boot ROM.

POWERPC_TESTS = selftest sieve rtas spapr_hcall decrementer smp atomics timebase interrupts emulator sprs spapr_vpa tm mmu exit0 selftest_migration migration_memory

POWERPC_LIB_SRCS = \
	lib/powerpc/entry.S \
	lib/powerpc/setup.c \
	lib/powerpc/console.c \
	lib/powerpc/hcall.c \
	lib/powerpc/hypertas.c \
	lib/powerpc/rtas.c \
	lib/powerpc/exceptions.c \
	lib/powerpc/smp.c \
	lib/powerpc/mmu.c

POWERPC_LIB_HDRS = \
	lib/powerpc/asm.h \
	lib/powerpc/console.h \
	lib/powerpc/exceptions.h \
	lib/powerpc/hcall.h \
	lib/powerpc/mmu.h \
	lib/powerpc/processor.h \
	lib/powerpc/ptregs.h \
	lib/powerpc/rtas.h \
	lib/powerpc/setup.h \
	lib/powerpc/smp.h \
	lib/powerpc/xics.h

# The ROM: its entry, its C part, what it needs of the library.
POWERPC_ROM_SRCS = \
	powerpc/boot-rom-entry.S \
	powerpc/boot-rom.c \
	lib/powerpc/hcall.c \
	lib/libc/string.c

EXTRA_DIST += $(POWERPC_LIB_SRCS) $(POWERPC_LIB_HDRS) \
	$(POWERPC_TESTS:%=powerpc/%.c) powerpc/boot-rom-entry.S powerpc/boot-rom.c \
	powerpc/flat.lds powerpc/boot-rom.lds powerpc/unittests.cfg \
	powerpc/ppc64le.mk powerpc/ppc64.mk powerpc/tests.mk

# Boot-to-exit through our boot ROM against SLOF (docs/performance.md).
EXTRA_DIST += bench/boot-ppc
bench-boot-ppc: $(builddir)/kvm-unit-tests$(EXEEXT)
	$(SHELL) $(srcdir)/bench/boot-ppc $(builddir)/kvm-unit-tests$(EXEEXT)
.PHONY: bench-boot-ppc
