/* Guest architectures and everything the launcher needs to know of each:
 * one table (arch.c), asked by the rest of the launcher, which never tests
 * for an arch by name (DESIGN.md, "Arches"). */
#ifndef KUT_ARCH_H
#define KUT_ARCH_H

#include <stdbool.h>

enum arch {
	ARCH_X86_64,
	ARCH_I386,
	ARCH_AARCH64,
	ARCH_ARM,
	ARCH_PPC64LE,
	ARCH_PPC64,	/* big-endian */
	ARCH_COUNT,
	ARCH_NONE = -1,
};

#define ARCH_BIT(a) (1u << (a))

/* How a guest's status reaches the launcher (DESIGN.md, "Exit"). */
enum arch_exit {
	ARCH_EXIT_DEVICE,	/* isa-debug-exit: QEMU exits (n << 1) | 1 */
	ARCH_EXIT_LINE,		/* powered off (PSCI SYSTEM_OFF, RTAS power-off):
				 * QEMU exits 0, the EXIT: line has the status */
};

/* What the guest boots through. */
enum arch_firmware {
	ARCH_FW_DEFAULT,	/* QEMU's own for the machine, nothing given */
	ARCH_FW_QBOOT,		/* QEMU's qboot.rom when installed (cfg
				 * firmware = default opts out) */
	ARCH_FW_IMAGE_ROM,	/* our boot ROM, built and installed with the
				 * images: arch_info.rom in the images folder */
};

struct arch_info {
	const char *name;	/* --arch, images/<name>/, TAP, logs */
	const char *family;	/* source folder of its unittests.cfg */
	const char *qemu[3];	/* binaries tried in order on $PATH */
	const char *packages;	/* which packages provide them */
	const char *machine;	/* default -machine */
	const char *cpu_tcg;	/* -cpu under TCG; NULL: QEMU's default */
	const char *cpu_kvm;	/* -cpu under KVM; NULL: QEMU's default */
	const char *const *args; /* more argv (the exit device), NULL-ended */
	enum arch_exit exit;
	enum arch_firmware firmware;
	const char *rom;	/* ARCH_FW_IMAGE_ROM: its file name */
	bool big_endian;
	/* other arches a cfg's "arch = <this name>" (key or arch= condition)
	 * also means: upstream cfgs say ppc64 for POWER of either order */
	unsigned cfg_also;
};

/* The table row of @a; NULL for ARCH_NONE or out of range. */
const struct arch_info *arch_info(enum arch a);
/* Accepts the canonical names and the aliases upstream cfg files and
 * uname(2) use (arm64, i686, armv7l...); ARCH_NONE when unknown. */
enum arch arch_from_name(const char *name);
const char *arch_name(enum arch a);
/* The arches a cfg naming @a means: ARCH_BIT(a) and its cfg_also; 0 for
 * ARCH_NONE. */
unsigned arch_cfg_mask(enum arch a);
/* The source folder whose unittests.cfg serves @a: "x86", "arm", "powerpc". */
const char *arch_family(enum arch a);
/* The arch of the machine we run on, from uname(2); ARCH_NONE if unknown. */
enum arch arch_host(void);
/* True when a KVM on a @host machine may run @guest: same family, and a
 * 64-bit host covering its 32-bit sibling (x86_64 runs i386) or its other
 * endianness (ppc64le runs ppc64). */
bool arch_kvm_capable(enum arch host, enum arch guest);
/* "x86_64, i386, aarch64, arm, ppc64le, ppc64" for messages. */
const char *arch_all_names(void);

#endif
