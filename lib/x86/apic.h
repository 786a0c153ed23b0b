/*
 * Local APIC access, the same calls in xAPIC (MMIO) and x2APIC (MSR)
 * mode. Register offsets are the xAPIC MMIO offsets, SDM vol 3, "Local
 * APIC Register Address Map" (table 11-1 in recent editions); in x2APIC
 * mode register R is MSR 0x800 + (R >> 4) (SDM vol 3, 11.12.1.2).
 */
#ifndef X86_APIC_H
#define X86_APIC_H

#include "libcflat.h"

#define APIC_DEFAULT_BASE	0xfee00000ul

#define APIC_ID		0x020
#define APIC_LVR	0x030
#define APIC_TPR	0x080
#define APIC_PPR	0x0a0
#define APIC_EOI	0x0b0
#define APIC_LDR	0x0d0
#define APIC_DFR	0x0e0
#define APIC_SPIV	0x0f0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVTTHMR	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_SELF_IPI	0x3f0	/* x2APIC only */

#define APIC_SPIV_ENABLE	(1u << 8)
#define APIC_LVT_MASKED		(1u << 16)

/* ICR fields, SDM vol 3, "Interrupt Command Register" (figure 11-12) */
#define APIC_DM_FIXED		0x000
#define APIC_DM_LOWEST		0x100
#define APIC_DM_SMI		0x200
#define APIC_DM_NMI		0x400
#define APIC_DM_INIT		0x500
#define APIC_DM_STARTUP		0x600
#define APIC_DEST_PHYSICAL	0x000
#define APIC_DEST_LOGICAL	0x800
#define APIC_ICR_BUSY		0x1000	/* delivery status, xAPIC only */
#define APIC_INT_ASSERT		0x4000
#define APIC_INT_LEVELTRIG	0x8000
#define APIC_DEST_SELF		0x40000
#define APIC_DEST_ALLINC	0x80000
#define APIC_DEST_ALLBUT	0xc0000

/*
 * xAPIC logical destinations, SDM vol 3, 11.6.2.2: the DFR model (bits
 * 31:28) is 1111B for the flat model and 0000B for the cluster model,
 * bits 27:0 read as ones; the 8-bit logical APIC ID is LDR[31:24].
 */
#define APIC_DFR_FLAT		0xffffffffu
#define APIC_DFR_CLUSTER	0x0fffffffu
#define APIC_LDR_SHIFT		24

/* Vectors the runtime keeps for itself. */
#define APIC_SPURIOUS_VECTOR	0xff
#define IPI_WAKE_VECTOR		0xfe	/* smp.c: "look at your work slot" */

u32 apic_read(unsigned reg);
void apic_write(unsigned reg, u32 val);
/* Send an IPI: @icr is the low ICR word (vector, mode, shorthand),
 * @dest the destination APIC ID. Waits for xAPIC delivery. */
void apic_icr_write(u32 icr, u32 dest);
u32 apic_icr_read(void);
void apic_send_ipi(u32 dest_apic_id, u8 vector);
void apic_eoi(void);

/* xAPIC mode: set this CPU's DFR model and logical APIC ID. Every APIC
 * must use the same model (11.6.2.2). */
void apic_set_logical_id(u32 dfr, u8 logical_id);

/* This CPU's APIC ID: 8 bits in xAPIC mode, 32 in x2APIC mode. */
u32 apic_id(void);
bool apic_is_x2apic(void);

/* Switch this CPU to x2APIC mode; false (and nothing changed) when
 * CPUID.01H:ECX[21] is clear. */
bool enable_x2apic(void);
/* Back to xAPIC: through disabled, as SDM vol 3, 11.12.5 requires. */
void reset_apic(void);

/* Software-enable this CPU's APIC with the spurious vector; boot code. */
void apic_setup_cpu(void);
/* Mask the 8259A PICs so their IRQs never reach us as vectors 8..15. */
void mask_pic(void);

#endif
