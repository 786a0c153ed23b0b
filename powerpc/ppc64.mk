# ppc64 (big-endian) guests: the lib/powerpc runtime, the tests in
# powerpc/ and the boot ROM, built big-endian into images/ppc64/ (DESIGN.md,
# "Build layout"). Twin of powerpc/ppc64le.mk; keep the two alike.
#
# Objects go to obj/ppc64/<source path minus suffix>.o, libfdt's to
# obj/ppc64/libfdt/. Each test is linked at 0 with powerpc/flat.lds into
# images/ppc64/<test>.elf (QEMU's -kernel loads the ELF itself); the ROM
# is linked with powerpc/boot-rom.lds and objcopy'd to a raw
# images/ppc64/boot.rom, which QEMU copies to address 0.

# ELFv2 on both endiannesses (the big-endian toolchain defaults to ELFv1;
# one ABI keeps entry.S and the hcall/RTAS code the same). No FP, VMX or
# VSX from the compiler: the interrupt code saves only the GPRs.
PPC64_CFLAGS = $(GUEST_COMMON_CFLAGS) -mbig-endian -mabi=elfv2 \
	-mcpu=power8 -msoft-float -mno-altivec -mno-vsx \
	-mcmodel=medium -fno-asynchronous-unwind-tables \
	$(LIBFDT_CPPFLAGS)
PPC64_LINKFLAGS = -mbig-endian -nostdlib -static -no-pie \
	-Wl,-z,max-page-size=0x10000 -Wl,-z,noexecstack \
	-Wl,--build-id=none -Wl,--no-dynamic-linker -Wl,--no-warn-rwx-segments

PPC64_OBJCOPY = $(patsubst %gcc,%objcopy,$(PPC64_CC))
PPC64_LIBFDT_OBJS = $(LIBFDT_NAMES:%=obj/ppc64/libfdt/%.o)
PPC64_LIB_OBJS = $(patsubst %,obj/ppc64/%.o, \
	$(basename $(GUEST_LIB_SRCS) $(GUEST_DT_SRCS) $(POWERPC_LIB_SRCS))) \
	$(PPC64_LIBFDT_OBJS)
PPC64_ROM_OBJS = $(patsubst %,obj/ppc64/%.o, \
	$(basename $(POWERPC_ROM_SRCS))) $(PPC64_LIBFDT_OBJS)
PPC64_IMAGES = $(POWERPC_TESTS:%=images/ppc64/%.elf) \
	images/ppc64/boot.rom

if ARCH_PPC64
ppc64imgdir = $(pkgdatadir)/ppc64
ppc64img_DATA = $(PPC64_IMAGES)
endif

CLEANFILES += $(PPC64_IMAGES)

images/ppc64/%.elf: obj/ppc64/powerpc/%.o $(PPC64_LIB_OBJS) \
		$(srcdir)/powerpc/flat.lds
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(PPC64_CC) $(PPC64_LINKFLAGS) \
		-Wl,-T,$(srcdir)/powerpc/flat.lds -o $@ $< $(PPC64_LIB_OBJS)

obj/ppc64/boot-rom.elf: $(PPC64_ROM_OBJS) $(srcdir)/powerpc/boot-rom.lds
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(PPC64_CC) $(PPC64_LINKFLAGS) \
		-Wl,-T,$(srcdir)/powerpc/boot-rom.lds -o $@ $(PPC64_ROM_OBJS)

images/ppc64/boot.rom: obj/ppc64/boot-rom.elf
	@$(MKDIR_P) $(@D)
	$(AM_V_GEN)$(PPC64_OBJCOPY) -O binary $< $@

.SECONDARY: $(PPC64_LIB_OBJS) $(PPC64_ROM_OBJS) \
	$(POWERPC_TESTS:%=obj/ppc64/powerpc/%.o) obj/ppc64/boot-rom.elf

$(eval $(call guest_obj_rules,ppc64,PPC64_CC,PPC64_CFLAGS))
