/* Guest architectures, the cfg family that serves each, and the host's. */
#ifndef KUT_ARCH_H
#define KUT_ARCH_H

#include <stdbool.h>

enum arch {
	ARCH_X86_64,
	ARCH_I386,
	ARCH_AARCH64,
	ARCH_ARM,
	ARCH_PPC64,
	ARCH_COUNT,
	ARCH_NONE = -1,
};

#define ARCH_BIT(a) (1u << (a))

/* Accepts the canonical names and the aliases upstream cfg files use
 * (arm64, ppc64le); ARCH_NONE when unknown. */
enum arch arch_from_name(const char *name);
const char *arch_name(enum arch a);
/* The source folder whose unittests.cfg serves @a: "x86", "arm", "powerpc". */
const char *arch_family(enum arch a);
/* The arch of the machine we run on, from uname(2); ARCH_NONE if unknown. */
enum arch arch_host(void);
/* True when a KVM on a @host machine may run @guest: same family, and a
 * 64-bit host covering its 32-bit sibling (x86_64 runs i386). */
bool arch_kvm_capable(enum arch host, enum arch guest);
/* "x86_64, i386, aarch64, arm, ppc64" for messages. */
const char *arch_all_names(void);

#endif
