# ppc64le guests: the lib/powerpc runtime, the tests in powerpc/ and the
# boot ROM, built little-endian into images/ppc64le/ (DESIGN.md, "Build
# layout"). powerpc/ppc64.mk is its big-endian twin; keep the two alike.
#
# Objects go to obj/ppc64le/<source path minus suffix>.o, libfdt's to
# obj/ppc64le/libfdt/. Each test is linked at 0 with powerpc/flat.lds into
# images/ppc64le/<test>.elf (QEMU's -kernel loads the ELF itself); the ROM
# is linked with powerpc/boot-rom.lds and objcopy'd to a raw
# images/ppc64le/boot.rom, which QEMU copies to address 0.

# ELFv2 on both endiannesses (the big-endian toolchain defaults to ELFv1;
# one ABI keeps entry.S and the hcall/RTAS code the same). No FP, VMX or
# VSX from the compiler: the interrupt code saves only the GPRs.
PPC64LE_CFLAGS = $(GUEST_COMMON_CFLAGS) -mlittle-endian -mabi=elfv2 \
	-mcpu=power8 -msoft-float -mno-altivec -mno-vsx \
	-mcmodel=medium -fno-asynchronous-unwind-tables \
	$(LIBFDT_CPPFLAGS)
PPC64LE_LINKFLAGS = -mlittle-endian -nostdlib -static -no-pie \
	-Wl,-z,max-page-size=0x10000 -Wl,-z,noexecstack \
	-Wl,--build-id=none -Wl,--no-dynamic-linker -Wl,--no-warn-rwx-segments

PPC64LE_OBJCOPY = $(patsubst %gcc,%objcopy,$(PPC64LE_CC))
PPC64LE_LIBFDT_OBJS = $(LIBFDT_NAMES:%=obj/ppc64le/libfdt/%.o)
PPC64LE_LIB_OBJS = $(patsubst %,obj/ppc64le/%.o, \
	$(basename $(GUEST_LIB_SRCS) $(GUEST_DT_SRCS) $(POWERPC_LIB_SRCS))) \
	$(PPC64LE_LIBFDT_OBJS)
PPC64LE_ROM_OBJS = $(patsubst %,obj/ppc64le/%.o, \
	$(basename $(POWERPC_ROM_SRCS))) $(PPC64LE_LIBFDT_OBJS)
PPC64LE_IMAGES = $(POWERPC_TESTS:%=images/ppc64le/%.elf) \
	images/ppc64le/boot.rom

if ARCH_PPC64LE
ppc64leimgdir = $(pkgdatadir)/ppc64le
ppc64leimg_DATA = $(PPC64LE_IMAGES)
endif

CLEANFILES += $(PPC64LE_IMAGES)

images/ppc64le/%.elf: obj/ppc64le/powerpc/%.o $(PPC64LE_LIB_OBJS) \
		$(srcdir)/powerpc/flat.lds
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(PPC64LE_CC) $(PPC64LE_LINKFLAGS) \
		-Wl,-T,$(srcdir)/powerpc/flat.lds -o $@ $< $(PPC64LE_LIB_OBJS)

obj/ppc64le/boot-rom.elf: $(PPC64LE_ROM_OBJS) $(srcdir)/powerpc/boot-rom.lds
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(PPC64LE_CC) $(PPC64LE_LINKFLAGS) \
		-Wl,-T,$(srcdir)/powerpc/boot-rom.lds -o $@ $(PPC64LE_ROM_OBJS)

images/ppc64le/boot.rom: obj/ppc64le/boot-rom.elf
	@$(MKDIR_P) $(@D)
	$(AM_V_GEN)$(PPC64LE_OBJCOPY) -O binary $< $@

.SECONDARY: $(PPC64LE_LIB_OBJS) $(PPC64LE_ROM_OBJS) \
	$(POWERPC_TESTS:%=obj/ppc64le/powerpc/%.o) obj/ppc64le/boot-rom.elf

$(eval $(call guest_obj_rules,ppc64le,PPC64LE_CC,PPC64LE_CFLAGS))
