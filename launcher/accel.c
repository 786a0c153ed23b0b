#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
	return 1;
}
