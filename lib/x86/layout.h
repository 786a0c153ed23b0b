/*
 * Fixed layout shared by the assembler entry code and C: segment
 * selectors, stack sizes, where the AP start-up trampoline lives.
 * Only #defines, so cstart64.S can include it.
 */
#ifndef X86_LAYOUT_H
#define X86_LAYOUT_H

/*
 * GDT slots (SDM vol 3, 3.4.5). USER_DS precedes USER_CS so SYSRET's
 * "STAR[63:48] + 8 / + 16" selector arithmetic (SDM vol 2B, SYSRET) works.
 */
#define KERNEL_CS	0x08	/* 64-bit ring 0 code */
#define KERNEL_DS	0x10	/* ring 0 data */
#define KERNEL_CS32	0x18	/* 32-bit ring 0 code, used while booting */
#define USER_DS		0x23	/* ring 3 data, RPL 3 */
#define USER_CS		0x2b	/* 64-bit ring 3 code, RPL 3 */
#ifdef __x86_64__
#define TSS_SEL		0x30	/* 64-bit TSS, 16-byte descriptor */
#define GDT_ENTRIES	8
#else
/*
 * i386: the same selectors name 32-bit segments (KERNEL_CS and KERNEL_CS32
 * are both flat 32-bit code, USER_CS is 32-bit); the TSS descriptor takes
 * 8 bytes, the next slot holds this CPU's struct percpu (GS, see
 * percpu.h), and slots from GDT_FREE_SEL on are zero for tests to fill.
 */
#define TSS_SEL		0x30	/* 32-bit TSS, SDM vol 3, 8.2.2 */
#define PERCPU_SEL	0x38
#define GDT_FREE_SEL	0x40
#define GDT_ENTRIES	16
#endif

#define MAX_CPUS	64
#define STACK_SIZE	0x4000	/* per-CPU kernel stack */
#define IST_STACK_SIZE	0x1000	/* per-CPU #DF/NMI/#MC stack */

/*
 * INIT-SIPI-SIPI start-up code is copied here: a SIPI vector VV starts the
 * AP in real mode at CS:IP = VV00:0000, i.e. physical VV000 (SDM vol 3,
 * 9.4.4.1), so the page must be below 1 MiB. QEMU's multiboot loader puts
 * the e820 map at 0x9000 and the boot information at 0x9500, so the page
 * below is free once the BSP has copied what it needs.
 */
#define TRAMPOLINE_BASE	0x8000

/* The kernel is linked here (x86/flat.lds); see the comment there. */
#define IMAGE_BASE	0x400000

#endif
