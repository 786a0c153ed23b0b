#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "accel.h"

/* The only KVM API version there has ever been (Documentation/virt/kvm/api.rst,
 * KVM_GET_API_VERSION: "applications should refuse to run if it returns a
 * value other than 12"). */
#define KVM_API_VERSION_EXPECTED 12

const char *accel_name(enum accel a)
{
	switch (a) {
	case ACCEL_KVM:
		return "kvm";
	case ACCEL_TCG:
		return "tcg";
	default:
		return "auto";
	}
}

int accel_from_name(const char *name)
{
	if (!strcmp(name, "kvm"))
		return ACCEL_KVM;
	if (!strcmp(name, "tcg"))
		return ACCEL_TCG;
	if (!strcmp(name, "auto"))
		return ACCEL_AUTO;
	return -1;
}

/* Whether a "flags" line of @f has the word vmx or svm; -1 if none is seen. */
static int cpuinfo_has_hw_virt(FILE *f)
{
	char line[4096];
	bool seen_flags = false;

	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *w;

		if (strncmp(line, "flags", 5) || !strchr(line, ':'))
			continue;
		seen_flags = true;
		for (w = strtok_r(strchr(line, ':') + 1, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(w, "vmx") || !strcmp(w, "svm"))
				return 1;
	}
	return seen_flags ? 0 : -1;
}

int accel_x86_hw_virt(const char *cpuinfo, const char *sysmod, char *why,
		      size_t whylen)
{
	static const char *const mods[] = { "kvm_pvm", "kvm_intel", "kvm_amd" };
	const char *mod = NULL;
	char path[4096];
	FILE *f = fopen(cpuinfo, "r");
	int has;

	if (!f)
		return 1;
	has = cpuinfo_has_hw_virt(f);
	fclose(f);
	if (has != 0)
		return 1;
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]) && !mod; i++) {
		snprintf(path, sizeof(path), "%s/%s", sysmod, mods[i]);
		if (access(path, F_OK) == 0)
			mod = mods[i];
	}
	if (mod && !strcmp(mod, "kvm_pvm"))
		snprintf(why, whylen, "/dev/kvm is kvm_pvm's (PVM): this CPU has no VMX or SVM (%s), and PVM runs only guest kernels built for it",
			 cpuinfo);
	else
		snprintf(why, whylen, "this CPU has no VMX or SVM (%s has neither flag)%s%s%s: /dev/kvm cannot run ordinary guests",
			 cpuinfo, mod ? "; module " : "", mod ? mod : "",
			 mod ? " loaded" : "");
	return 0;
}

int accel_kvm_usable(enum arch host, enum arch guest, const char *dev,
		     char *why, size_t whylen)
{
	int fd, vm, version;

	if (!arch_kvm_capable(host, guest)) {
		snprintf(why, whylen, "KVM cannot run %s guests on this %s host",
			 arch_name(guest), arch_name(host));
		return 0;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", dev, strerror(errno));
		return 0;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION_EXPECTED) {
		snprintf(why, whylen, "%s: KVM_GET_API_VERSION is %d, want %d",
			 dev, version, KVM_API_VERSION_EXPECTED);
		close(fd);
		return 0;
	}
	if (host == ARCH_AARCH64 && guest == ARCH_ARM &&
	    ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_EL1_32BIT) <= 0) {
		snprintf(why, whylen, "%s: no KVM_CAP_ARM_EL1_32BIT, this CPU cannot run AArch32 guests",
			 dev);
		close(fd);
		return 0;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, whylen, "%s: KVM_CREATE_VM: %s", dev, strerror(errno));
		close(fd);
		return 0;
	}
	close(vm);
	close(fd);
	if (host == ARCH_X86_64 || host == ARCH_I386) {
		const char *ci = getenv("KUT_CPUINFO");
		const char *sm = getenv("KUT_SYS_MODULE");

		return accel_x86_hw_virt(ci && *ci ? ci : "/proc/cpuinfo",
					 sm && *sm ? sm : "/sys/module", why,
					 whylen);
	}
	return 1;
}
