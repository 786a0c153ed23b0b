/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GIC the device tree describes: GICv2 ("arm,cortex-a15-gic",
 * "arm,gic-400"; IHI 0048B) or GICv3 ("arm,gic-v3"; IHI 0069H), with the
 * register offsets tests poke directly. INTIDs: 0-15 SGI, 16-31 PPI,
 * 32-1019 SPI, 8192+ LPI.
 */
#ifndef ARM_GIC_H
#define ARM_GIC_H

#include "libcflat.h"
#include "arm/exceptions.h"

/* Distributor (IHI 0048B, IHI 0069H: the distributor register map) */
#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IIDR		0x0008
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ISPENDR		0x0200
#define GICD_ICPENDR		0x0280
#define GICD_ISACTIVER		0x0300
#define GICD_ICACTIVER		0x0380
#define GICD_IPRIORITYR		0x0400
#define GICD_ITARGETSR		0x0800
#define GICD_ICFGR		0x0c00
#define GICD_SGIR		0x0f00
#define GICD_IROUTER		0x6000
#define GICD_PIDR2_V2		0x0fe8
#define GICD_PIDR2_V3		0xffe8
#define GICD_CTLR_RWP		(1u << 31)
#define GICD_CTLR_ARE		(1u << 4)
#define GICD_CTLR_ENABLE_G1	(1u << 1)
#define GICD_CTLR_ENABLE_G0	(1u << 0)
#define GICD_TYPER_ITLINES(t)	((t) & 0x1f)
#define GICD_TYPER_CPUS(t)	((((t) >> 5) & 7) + 1)
#define GIC_PIDR2_ARCHREV(p)	(((p) >> 4) & 0xf)

/* GICv2 CPU interface (IHI 0048B 4.1.3) */
#define GICC_CTLR		0x0000
#define GICC_PMR		0x0004
#define GICC_BPR		0x0008
#define GICC_IAR		0x000c
#define GICC_EOIR		0x0010
#define GICC_RPR		0x0014
#define GICC_HPPIR		0x0018
#define GICC_IIDR		0x00fc

/* GICv3 redistributor: RD_base, then SGI_base 64 KiB on (IHI 0069H) */
#define GICR_CTLR		0x0000
#define GICR_IIDR		0x0004
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_PROPBASER		0x0070
#define GICR_PENDBASER		0x0078
#define GICR_PIDR2		0xffe8
#define GICR_SGI_BASE		0x10000
#define GICR_TYPER_VLPIS	(1ull << 1)
#define GICR_TYPER_LAST		(1ull << 4)
#define GICR_TYPER_PROCNUM(t)	(((t) >> 8) & 0xffff)
#define GICR_TYPER_AFF(t)	((t) >> 32)
#define GICR_WAKER_SLEEP	(1u << 1)
#define GICR_WAKER_CHILDREN	(1u << 2)

#define GIC_SPURIOUS		1023
#define GIC_IAR_INTID(iar, v)	((v) == 2 ? (iar) & 0x3ff : (iar) & 0xffffff)
#define GICV2_IAR_SRC(iar)	(((iar) >> 10) & 7)

#define GIC_FIRST_PPI		16
#define GIC_FIRST_SPI		32

/* 2 or 3, 0 when the DT has no GIC this library knows; maps its frames. */
int gic_init(void);
int gic_version(void);
/* Enable the distributor and the CPU interface of every CPU that is or
 * comes online: all priorities 0xa0, PMR 0xf0, group 1 (GICv3). */
void gic_enable_defaults(void);
void gic_enable_irq(unsigned intid);
void gic_disable_irq(unsigned intid);
bool gic_irq_pending(unsigned intid);
bool gic_irq_active(unsigned intid);
/* Read IAR / write EOIR of this CPU's interface (group 1 on GICv3). */
u32 gic_read_iar(void);
unsigned gic_iar_intid(u32 iar);
void gic_write_eoir(u32 iar);
void gic_send_sgi(unsigned cpu, unsigned sgi);

void *gic_dist_base(void);
void *gicv2_cpu_base(void);
/* This CPU's GICv2 CPU-interface number as ITARGETSR bits. */
u8 gicv2_cpu_mask(unsigned cpu);
/* RD_base of @cpu's redistributor (GICv3). */
void *gicv3_rdist_base(unsigned cpu);
void *gicv3_sgi_base(unsigned cpu);
/* The GICv3 ITS (GITS registers), NULL if the DT has none. */
void *gic_its_base(void);
/* Number of interrupt IDs the distributor implements (GICD_TYPER). */
unsigned gic_nr_irqs(void);

/* IRQ handler for this CPU's IRQ vectors. */
void install_irq_handler(exception_fn fn);

/* Interrupt specifier of a DT node's @idx'th interrupt -> INTID, or -1. */
int dt_irq_intid(int node, int idx);

#endif
