# arm guests (ARMv7, Cortex-A15 class, LPAE): the lib/arm runtime with
# lib/arm/32 for what is AArch32's own, and the tests in arm/ shared with
# aarch64 (ARM_TESTS, arm/aarch64.mk), into images/arm/<test>.flat.
#
# Same shape as aarch64.mk: a static PIE at 0 with arm/flat.lds, a raw
# binary QEMU boots like a zImage (r2 = device tree), relocated by
# lib/arm/32/entry.S; libfdt compiled from source with the same flags.

ARM32_TESTS = $(ARM_TESTS)

ARM32_LIB_SRCS = $(ARM_COMMON_LIB_SRCS) \
	lib/arm/32/entry.S \
	lib/arm/32/exceptions.c \
	lib/arm/32/mmu.c \
	lib/arm/32/div0.c

ARM32_LIB_HDRS = lib/arm/32/sysreg.h lib/arm/32/ptregs.h

EXTRA_DIST += lib/arm/32/entry.S lib/arm/32/exceptions.c lib/arm/32/mmu.c lib/arm/32/div0.c \
	$(ARM32_LIB_HDRS)

# ARM state throughout (the vectors and stubs are A32); -mgeneral-regs-only
# and -mno-unaligned-access for the same reasons as on aarch64.
ARM32_CFLAGS = -isystem $(shell $(ARM_CC) -print-file-name=include) \
	$(GUEST_COMMON_CFLAGS) -fpie -fvisibility=hidden \
	-marm -mcpu=cortex-a15 -mgeneral-regs-only -mno-unaligned-access \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	$(LIBFDT_CPPFLAGS)
ARM32_LINKFLAGS = -nostdlib -static-pie -Wl,-T,$(srcdir)/arm/flat.lds \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--build-id=none \
	-Wl,-z,norelro -Wl,--no-warn-rwx-segments
ARM32_LIBGCC = $(shell $(ARM_CC) -marm -print-libgcc-file-name)
ARM32_OBJCOPY = $(ARM_CC:gcc=objcopy)

ARM32_LIB_OBJS = $(patsubst %,obj/arm/%.o, \
	$(basename $(GUEST_LIB_SRCS) $(GUEST_DT_SRCS) $(ARM32_LIB_SRCS))) \
	$(LIBFDT_NAMES:%=obj/arm/libfdt/%.o)
ARM32_IMAGES = $(ARM32_TESTS:%=images/arm/%.flat)

if ARCH_ARM
armimgdir = $(pkgdatadir)/arm
armimg_DATA = $(ARM32_IMAGES)
endif

CLEANFILES += $(ARM32_IMAGES)

obj/arm/arm/%.elf: obj/arm/arm/%.o $(ARM32_LIB_OBJS) $(srcdir)/arm/flat.lds
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(ARM_CC) $(ARM32_LINKFLAGS) -o $@ $< \
		$(ARM32_LIB_OBJS) $(ARM32_LIBGCC)
	@# entry.S applies only relative relocations: anything else (a weak
	@# symbol nobody defines) would hang the guest before its first line
	@if $(ARM_CC:gcc=readelf) -rW $@ | awk '/^[0-9a-f]+ / && $$3 !~ /RELATIVE/ { bad = 1; print } END { exit !bad }' >&2; then \
		echo "$@: relocations other than RELATIVE (above)" >&2; rm -f $@; exit 1; fi

images/arm/%.flat: obj/arm/arm/%.elf
	@$(MKDIR_P) $(@D)
	$(AM_V_GEN)$(ARM32_OBJCOPY) -O binary $< $@

.SECONDARY: $(ARM32_LIB_OBJS) $(ARM32_TESTS:%=obj/arm/arm/%.o) \
	$(ARM32_TESTS:%=obj/arm/arm/%.elf)

$(eval $(call guest_obj_rules,arm,ARM_CC,ARM32_CFLAGS))
