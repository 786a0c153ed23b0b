# x86_64 guests: the lib/x86 runtime, the tests in x86/, and the rules that
# turn each test into images/x86_64/<test>.flat (DESIGN.md, "Build layout").
#
# Every object goes to obj/x86_64/<source path minus suffix>.o; each test is
# linked as ELF64 with x86/flat.lds into obj/x86_64/x86/<test>.elf (kept,
# with symbols, for gdb) and objcopy'd to ELF32, the only ELF class QEMU's
# multiboot loader accepts. GNU make pattern rules; -MMD -MP dependency
# files are included at the end.

X86_64_TESTS = selftest selftest_migration migration_timers migration_memory migration_xsave migration_apic migration_msr migration_clock smptest msr tsc sieve emulator syscall debug tsc_adjust exit0 kvmclock idt hypercall access vmexit apic pcid memory eventinj hyperv_clock hyperv_synic hyperv_stimer rmap_chain xsave pmu rdpid umip svm ioapic vmx nmi realmode la57 triplefault cpuid mtrr fpu segments pit rtc hpet

X86_64_LIB_SRCS = \
	lib/x86/cstart64.S \
	lib/x86/isr.S \
	lib/x86/setup.c \
	lib/x86/serial.c \
	lib/x86/desc.c \
	lib/x86/fwcfg.c \
	lib/x86/hyperv.c \
	lib/x86/vm.c \
	lib/x86/apic.c \
	lib/x86/ioapic.c \
	lib/x86/irqcount.c \
	lib/x86/tsctime.c \
	lib/x86/smp.c \
	lib/x86/usermode.c

X86_64_LIB_HDRS = \
	lib/x86/apic.h \
	lib/x86/cstart.S.inc \
	lib/x86/ioapic.h \
	lib/x86/irqcount.h \
	lib/x86/tsctime.h \
	lib/x86/cmos.h \
	lib/x86/pc_testdev.h \
	lib/x86/desc.h \
	lib/x86/fwcfg.h \
	lib/x86/hyperv.h \
	lib/x86/isr-stubs.S.inc \
	lib/x86/kvm_para.h \
	lib/x86/layout.h \
	lib/x86/msr.h \
	lib/x86/multiboot.h \
	lib/x86/percpu.h \
	lib/x86/processor.h \
	lib/x86/pvclock.h \
	lib/x86/serial.h \
	lib/x86/setup.h \
	lib/x86/smp.h \
	lib/x86/usermode.h \
	lib/x86/vm.h \
	lib/x86/acpi.h \
	lib/x86/pmtimer.h

X86_64_TEST_SRCS = $(X86_64_TESTS:%=x86/%.c)

EXTRA_DIST += $(X86_64_LIB_SRCS) $(X86_64_LIB_HDRS) $(X86_64_TEST_SRCS) \
	x86/flat.lds x86/unittests.cfg

# -mno-red-zone: exceptions and interrupts push onto the interrupted
# stack. No SSE/MMX: the runtime never saves that state. -mcmodel=small:
# the image is linked at 4 MiB, all of it below 2 GiB.
X86_64_CFLAGS = $(GUEST_COMMON_CFLAGS) -m64 -mno-red-zone \
	-mno-sse -mno-mmx -mno-sse2 -mno-avx -mcmodel=small \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-I$(srcdir)/lib/x86
X86_64_LINKFLAGS = -m64 -nostdlib -static -no-pie \
	-Wl,-T,$(srcdir)/x86/flat.lds -Wl,-z,max-page-size=0x1000 \
	-Wl,-z,noexecstack -Wl,--build-id=none
X86_64_LIBGCC = $(shell $(X86_64_CC) -m64 -print-libgcc-file-name)
X86_64_OBJCOPY = $(OBJCOPY)

X86_64_LIB_OBJS = $(patsubst %,obj/x86_64/%.o, \
	$(basename $(GUEST_LIB_SRCS) $(X86_64_LIB_SRCS)))
X86_64_IMAGES = $(X86_64_TESTS:%=images/x86_64/%.flat)

if ARCH_X86_64
x86_64imgdir = $(pkgdatadir)/x86_64
x86_64img_DATA = $(X86_64_IMAGES)
endif

CLEANFILES += $(X86_64_IMAGES)

obj/x86_64/x86/%.elf: obj/x86_64/x86/%.o $(X86_64_LIB_OBJS) \
		$(srcdir)/x86/flat.lds
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(X86_64_CC) $(X86_64_LINKFLAGS) -o $@ $< \
		$(X86_64_LIB_OBJS) $(X86_64_LIBGCC)

images/x86_64/%.flat: obj/x86_64/x86/%.elf
	@$(MKDIR_P) $(@D)
	$(AM_V_GEN)$(X86_64_OBJCOPY) -O elf32-i386 $< $@

# Objects and .elf files are made by chained pattern rules: without this
# GNU make deletes them as intermediates and relinks every time.
.SECONDARY: $(X86_64_LIB_OBJS) $(X86_64_TESTS:%=obj/x86_64/x86/%.o) \
	$(X86_64_TESTS:%=obj/x86_64/x86/%.elf)

$(eval $(call guest_obj_rules,x86_64,X86_64_CC,X86_64_CFLAGS))
