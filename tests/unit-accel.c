/* accel.c: whether the KVM of an x86 host can run ordinary guests. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit-harness.h"
#include "accel.h"

static char dir[] = "/tmp/unit-accel.XXXXXX";
static char cpuinfo[4200], sysmod[4200];

static void write_cpuinfo(const char *flags)
{
	FILE *f = fopen(cpuinfo, "w");

	fprintf(f, "processor\t: 0\nvendor_id\t: GenuineIntel\n");
	if (flags)
		fprintf(f, "flags\t\t: %s\n", flags);
	fprintf(f, "bogomips\t: 4000.00\n\nprocessor\t: 1\n");
	if (flags)
		fprintf(f, "flags\t\t: %s\n", flags);
	fclose(f);
}

static void load_module(const char *name, bool loaded)
{
	char path[8400];

	snprintf(path, sizeof(path), "%s/%s", sysmod, name);
	if (loaded)
		mkdir(path, 0700);
	else
		rmdir(path);
}

static void vmx_flag_is_hardware_virtualization(void)
{
	char why[256] = "";

	write_cpuinfo("fpu vme de pse tsc msr pae vmx sse2 ht");
	load_module("kvm_intel", true);
	EXPECT_INT(accel_x86_hw_virt(cpuinfo, sysmod, why, sizeof(why)), 1);
	load_module("kvm_intel", false);
}

static void svm_flag_is_hardware_virtualization(void)
{
	char why[256] = "";

	write_cpuinfo("fpu sse2 svm npt");
	EXPECT_INT(accel_x86_hw_virt(cpuinfo, sysmod, why, sizeof(why)), 1);
}

static void pvm_without_vmx_or_svm_is_not_usable(void)
{
	char why[256] = "";

	write_cpuinfo("fpu vme de pse tsc msr pae sse2 ht hypervisor");
	load_module("kvm_pvm", true);
	EXPECT_INT(accel_x86_hw_virt(cpuinfo, sysmod, why, sizeof(why)), 0);
	EXPECT_HAS(why, "kvm_pvm");
	EXPECT_HAS(why, "no VMX or SVM");
	load_module("kvm_pvm", false);
}

static void no_flag_and_no_known_module_is_not_usable(void)
{
	char why[256] = "";

	write_cpuinfo("fpu sse2 hypervisor");
	EXPECT_INT(accel_x86_hw_virt(cpuinfo, sysmod, why, sizeof(why)), 0);
	EXPECT_HAS(why, "neither flag");
}

/* a flag name inside another word is not the flag */
static void vmx_as_part_of_a_word_does_not_count(void)
{
	char why[256] = "";

	write_cpuinfo("fpu vmxnope svmish sse2");
	EXPECT_INT(accel_x86_hw_virt(cpuinfo, sysmod, why, sizeof(why)), 0);
}

/* nothing known against KVM: a missing or flag-less cpuinfo does not veto */
static void unreadable_or_flagless_cpuinfo_does_not_veto(void)
{
	char why[256] = "";
	char missing[4300];

	snprintf(missing, sizeof(missing), "%s/nope", dir);
	EXPECT_INT(accel_x86_hw_virt(missing, sysmod, why, sizeof(why)), 1);
	write_cpuinfo(NULL);
	EXPECT_INT(accel_x86_hw_virt(cpuinfo, sysmod, why, sizeof(why)), 1);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(cpuinfo, sizeof(cpuinfo), "%s/cpuinfo", dir);
	snprintf(sysmod, sizeof(sysmod), "%s/module", dir);
	mkdir(sysmod, 0700);
	RUN(vmx_flag_is_hardware_virtualization);
	RUN(svm_flag_is_hardware_virtualization);
	RUN(pvm_without_vmx_or_svm_is_not_usable);
	RUN(no_flag_and_no_known_module_is_not_usable);
	RUN(vmx_as_part_of_a_word_does_not_count);
	RUN(unreadable_or_flagless_cpuinfo_does_not_veto);
	unlink(cpuinfo);
	rmdir(sysmod);
	rmdir(dir);
	return unit_done();
}
