# aarch64 guests: the lib/arm runtime (lib/arm/64 for what is AArch64's
# own) and the tests in arm/, into images/aarch64/<test>.flat.
#
# Each test is linked as a static PIE at 0 with arm/flat.lds into
# obj/aarch64/arm/<test>.elf (kept, with symbols, for gdb) and objcopy'd to
# a raw binary: QEMU loads that like a Linux Image (x0 = device tree) and
# lib/arm/64/entry.S relocates it to wherever RAM is. libfdt is compiled
# from its source tree (lib/libfdt.mk) with the same flags.

ARM_TESTS = selftest gic psci timer fpu spinlock cache sieve pmu pl031 pci-test mmu alignment its debug migration
AARCH64_TESTS = $(ARM_TESTS) sve mte

ARM_COMMON_LIB_SRCS = \
	lib/arm/setup.c \
	lib/arm/smp.c \
	lib/arm/catch.c \
	lib/arm/mmu.c \
	lib/arm/pl011.c \
	lib/arm/psci.c \
	lib/arm/gic.c \
	lib/arm/timer.c \
	lib/arm/pci.c

ARM_COMMON_LIB_HDRS = \
	lib/arm/sysreg.h \
	lib/arm/io.h \
	lib/arm/exceptions.h \
	lib/arm/esr.h \
	lib/arm/mmu.h \
	lib/arm/psci.h \
	lib/arm/setup.h \
	lib/arm/smp.h \
	lib/arm/gic.h \
	lib/arm/timer.h \
	lib/arm/pci.h \
	lib/arm/pmu.h

AARCH64_LIB_SRCS = $(ARM_COMMON_LIB_SRCS) \
	lib/arm/64/entry.S \
	lib/arm/64/exceptions.c \
	lib/arm/64/mmu.c

AARCH64_LIB_HDRS = lib/arm/64/sysreg.h lib/arm/64/ptregs.h

EXTRA_DIST += $(ARM_COMMON_LIB_SRCS) $(ARM_COMMON_LIB_HDRS) \
	$(AARCH64_LIB_SRCS) $(AARCH64_LIB_HDRS) \
	$(AARCH64_TESTS:%=arm/%.c) arm/flat.lds arm/unittests.cfg

# -mno-outline-atomics: atomics inline, not through libgcc's getauxval probe.
# -mgeneral-regs-only: the exception entry saves no FP/SIMD state, so only
# tests' own asm touches it. -mstrict-align: code runs before the MMU is on,
# when every access is Device memory. -fpie: the image relocates itself.
AARCH64_CFLAGS = -isystem $(shell $(AARCH64_CC) -print-file-name=include) \
	$(GUEST_COMMON_CFLAGS) -fpie -fvisibility=hidden \
	-mgeneral-regs-only -mstrict-align -mno-outline-atomics \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	$(LIBFDT_CPPFLAGS)
# MTE's instructions and registers need an assembler told about them.
obj/aarch64/arm/mte.o: AARCH64_CFLAGS += -march=armv8.5-a+memtag

AARCH64_LINKFLAGS = -nostdlib -static-pie -Wl,-T,$(srcdir)/arm/flat.lds \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--build-id=none \
	-Wl,-z,norelro -Wl,--no-warn-rwx-segments
AARCH64_LIBGCC = $(shell $(AARCH64_CC) -print-libgcc-file-name)
AARCH64_OBJCOPY = $(AARCH64_CC:gcc=objcopy)

AARCH64_LIB_OBJS = $(patsubst %,obj/aarch64/%.o, \
	$(basename $(GUEST_LIB_SRCS) $(GUEST_DT_SRCS) $(AARCH64_LIB_SRCS))) \
	$(LIBFDT_NAMES:%=obj/aarch64/libfdt/%.o)
AARCH64_IMAGES = $(AARCH64_TESTS:%=images/aarch64/%.flat)

if ARCH_AARCH64
aarch64imgdir = $(pkgdatadir)/aarch64
aarch64img_DATA = $(AARCH64_IMAGES)
endif

CLEANFILES += $(AARCH64_IMAGES)

obj/aarch64/arm/%.elf: obj/aarch64/arm/%.o $(AARCH64_LIB_OBJS) \
		$(srcdir)/arm/flat.lds
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(AARCH64_CC) $(AARCH64_LINKFLAGS) -o $@ $< \
		$(AARCH64_LIB_OBJS) $(AARCH64_LIBGCC)
	@# entry.S applies only relative relocations: anything else (a weak
	@# symbol nobody defines) would hang the guest before its first line
	@if $(AARCH64_CC:gcc=readelf) -rW $@ | awk '/^[0-9a-f]+ / && $$3 !~ /RELATIVE/ { bad = 1; print } END { exit !bad }' >&2; then \
		echo "$@: relocations other than RELATIVE (above)" >&2; rm -f $@; exit 1; fi

images/aarch64/%.flat: obj/aarch64/arm/%.elf
	@$(MKDIR_P) $(@D)
	$(AM_V_GEN)$(AARCH64_OBJCOPY) -O binary $< $@

.SECONDARY: $(AARCH64_LIB_OBJS) $(AARCH64_TESTS:%=obj/aarch64/arm/%.o) \
	$(AARCH64_TESTS:%=obj/aarch64/arm/%.elf)

$(eval $(call guest_obj_rules,aarch64,AARCH64_CC,AARCH64_CFLAGS))
