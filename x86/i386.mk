# i386 guests: the same lib/x86 runtime and x86/ tests built with -m32 for
# 32-bit protected mode with PAE paging, into images/i386/<test>.flat
# (DESIGN.md, "Build layout"). x86/unittests.cfg serves both x86 arches.
#
# Objects go to obj/i386/<source path minus suffix>.o. Each test is linked
# as ELF32 with x86/flat32.lds into obj/i386/x86/<test>.elf; that is
# already the ELF class QEMU's multiboot loader wants, so the image is a
# plain copy (no objcopy). lib/x86/cstart32.S and isr32.S replace the
# 64-bit entry and exception stubs; lib/x86/div64.c stands in for the
# 32-bit libgcc, which hosts without gcc-multilib lack.

I386_TESTS = selftest selftest_migration migration_timers migration_memory migration_xsave migration_apic migration_msr migration_clock smptest msr tsc sieve cmpxchg8b taskswitch idt eventinj nmi debug apic ioapic \
	emulator memory umip xsave hypercall realmode rmap_chain pcid rdpid syscall access \
	cpuid mtrr fpu segments pit rtc hpet

I386_LIB_SRCS = \
	lib/x86/cstart32.S \
	lib/x86/isr32.S \
	lib/x86/setup.c \
	lib/x86/serial.c \
	lib/x86/desc.c \
	lib/x86/fwcfg.c \
	lib/x86/vm.c \
	lib/x86/apic.c \
	lib/x86/ioapic.c \
	lib/x86/irqcount.c \
	lib/x86/tsctime.c \
	lib/x86/smp.c \
	lib/x86/usermode.c \
	lib/x86/div64.c

EXTRA_DIST += lib/x86/cstart32.S lib/x86/isr32.S lib/x86/div64.c \
	x86/flat32.lds \
	$(I386_TESTS:%=x86/%.c)

# Same reasons as X86_64_CFLAGS: no SSE/MMX state is saved by the runtime.
I386_CFLAGS = $(GUEST_COMMON_CFLAGS) -m32 \
	-mno-sse -mno-mmx -mno-sse2 -mno-avx \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-I$(srcdir)/lib/x86
I386_LINKFLAGS = -m32 -nostdlib -static -no-pie \
	-Wl,-T,$(srcdir)/x86/flat32.lds -Wl,-z,max-page-size=0x1000 \
	-Wl,-z,noexecstack -Wl,--build-id=none

I386_LIB_OBJS = $(patsubst %,obj/i386/%.o, \
	$(basename $(GUEST_LIB_SRCS) $(I386_LIB_SRCS)))
I386_IMAGES = $(I386_TESTS:%=images/i386/%.flat)

if ARCH_I386
i386imgdir = $(pkgdatadir)/i386
i386img_DATA = $(I386_IMAGES)
endif

CLEANFILES += $(I386_IMAGES)

obj/i386/x86/%.elf: obj/i386/x86/%.o $(I386_LIB_OBJS) \
		$(srcdir)/x86/flat32.lds
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(I386_CC) $(I386_LINKFLAGS) -o $@ $< \
		$(I386_LIB_OBJS)

images/i386/%.flat: obj/i386/x86/%.elf
	@$(MKDIR_P) $(@D)
	$(AM_V_GEN)cp $< $@

.SECONDARY: $(I386_LIB_OBJS) $(I386_TESTS:%=obj/i386/x86/%.o) \
	$(I386_TESTS:%=obj/i386/x86/%.elf)

$(eval $(call guest_obj_rules,i386,I386_CC,I386_CFLAGS))
