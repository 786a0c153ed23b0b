/* Unit tests of --host-kernel's pieces: the console lines taken for a
 * crash (hostkernel.c), the bzImage release (kmod.c) and the newc archive
 * (initramfs.c). */
#include <stdlib.h>
#include <unistd.h>

#include "hostkernel.h"
#include "initramfs.h"
#include "kmod.h"
#include "unit-harness.h"

static void crash_line_panic(void)
{
	EXPECT(hostkernel_crash_line("[   42.1] Kernel panic - not syncing: corrupted stack end detected inside scheduler"),
	       "a panic is a crash");
}

static void crash_line_soft_lockup(void)
{
	EXPECT(hostkernel_crash_line("[  120.5] watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [qemu-system-x86:812]"),
	       "a soft lockup is a crash");
}

static void crash_line_rcu_stall(void)
{
	EXPECT(hostkernel_crash_line("[  300.0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"),
	       "an RCU stall is a crash");
	EXPECT(hostkernel_crash_line("[  300.0] rcu: INFO: rcu_preempt self-detected stall on CPU"),
	       "a self-detected RCU stall is a crash");
}

static void crash_line_oops(void)
{
	EXPECT(hostkernel_crash_line("[    9.9] BUG: kernel NULL pointer dereference, address: 0000000000000008"),
	       "an oops is a crash");
	EXPECT(hostkernel_crash_line("[    9.9] general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP"),
	       "a #GP in the kernel is a crash");
}

static void crash_line_ordinary_lines_are_not(void)
{
	EXPECT(!hostkernel_crash_line("[    3.2] SVM: Nested Paging enabled"), "a boot line");
	EXPECT(!hostkernel_crash_line("[    3.3] kvm: Nested Virtualization enabled"), "a boot line");
	EXPECT(!hostkernel_crash_line("kut-hostinit: running /usr/bin/kvm-unit-tests"), "our init");
	EXPECT(!hostkernel_crash_line("[    5.0] reboot: Power down"), "the end of a good boot");
}

static char *write_image(const unsigned char *data, size_t len)
{
	char *path = strdup("/tmp/unit-hostkernel.XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	return path;
}

static void release_from_bzimage_header(void)
{
	static unsigned char img[0x400];
	const char v[] = "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP";
	char err[256] = "", *path, *rel;

	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = 0x00;	/* 0x200 + 0x100: the string at 0x300 */
	img[0x20f] = 0x01;
	memcpy(img + 0x300, v, sizeof(v));
	path = write_image(img, sizeof(img));
	rel = kmod_image_release(path, err, sizeof(err));
	EXPECT_STR(rel, "6.1.0-57-amd64");
	free(rel);
	unlink(path);
	free(path);
}

static void release_rejects_non_bzimage(void)
{
	static unsigned char img[0x400];
	char err[256] = "", *path, *rel;

	path = write_image(img, sizeof(img));
	rel = kmod_image_release(path, err, sizeof(err));
	EXPECT(!rel, "got '%s', want NULL", unit_s(rel));
	EXPECT_HAS(err, "not an x86 bzImage");
	free(rel);
	unlink(path);
	free(path);
}

static void release_rejects_missing_version(void)
{
	static unsigned char img[0x400];
	char err[256] = "", *path, *rel;

	memcpy(img + 0x202, "HdrS", 4);
	path = write_image(img, sizeof(img));
	rel = kmod_image_release(path, err, sizeof(err));
	EXPECT(!rel, "got '%s', want NULL", unit_s(rel));
	EXPECT_HAS(err, "no kernel version string");
	free(rel);
	unlink(path);
	free(path);
}

/* newc: 110-byte header, name + NUL padded to 4, data padded to 4 */
static void initramfs_newc_layout(void)
{
	struct initramfs ir;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	initramfs_begin(&ir, f);
	initramfs_data(&ir, "kut/argv", 0644, "ab", 2);
	EXPECT_INT(initramfs_end(&ir), 0);
	fclose(f);
	EXPECT(!memcmp(buf, "070701", 6), "magic '%.6s', want 070701", buf);
	/* mode field (second): S_IFREG | 0644 */
	EXPECT(!memcmp(buf + 14, "000081A4", 8), "mode '%.8s', want 000081A4", buf + 14);
	/* filesize (seventh) 2, namesize (twelfth) 9 */
	EXPECT(!memcmp(buf + 54, "00000002", 8), "size '%.8s', want 00000002", buf + 54);
	EXPECT(!memcmp(buf + 94, "00000009", 8), "namesize '%.8s', want 00000009", buf + 94);
	EXPECT_STR(buf + 110, "kut/argv");
	/* 110 + 9 = 119 -> data at 120 */
	EXPECT(!memcmp(buf + 120, "ab\0\0", 4), "data at 120");
	EXPECT(!memcmp(buf + 124, "070701", 6), "trailer header at 124");
	EXPECT_STR(buf + 124 + 110, "TRAILER!!!");
	EXPECT_INT(len % 4, 0);
	free(buf);
}

/* The outer accelerator: KVM when nested KVM is usable, TCG otherwise. */
static void outer_auto_takes_nested_kvm_when_usable(void)
{
	enum accel a = ACCEL_AUTO;
	char err[256] = "";

	EXPECT_INT(hostkernel_outer_choice(NULL, true, "", &a, err, sizeof(err)), 0);
	EXPECT_INT(a, ACCEL_KVM);
	EXPECT_INT(hostkernel_outer_choice("auto", true, "", &a, err, sizeof(err)), 0);
	EXPECT_INT(a, ACCEL_KVM);
}

static void outer_auto_falls_back_to_tcg(void)
{
	enum accel a = ACCEL_AUTO;
	char err[256] = "";

	EXPECT_INT(hostkernel_outer_choice("", false, "/dev/kvm: No such file", &a,
					   err, sizeof(err)), 0);
	EXPECT_INT(a, ACCEL_TCG);
}

static void outer_kvm_asked_without_nested_is_an_error(void)
{
	enum accel a = ACCEL_AUTO;
	char err[256] = "";

	EXPECT_INT(hostkernel_outer_choice("kvm", false, "no VMX or SVM", &a, err,
					   sizeof(err)), -1);
	EXPECT_HAS(err, "not usable here (no VMX or SVM)");
	EXPECT_INT(hostkernel_outer_choice("tcg", true, "", &a, err, sizeof(err)), 0);
	EXPECT_INT(a, ACCEL_TCG);
	EXPECT_INT(hostkernel_outer_choice("hvf", true, "", &a, err, sizeof(err)), -1);
	EXPECT_HAS(err, "want kvm, tcg or auto");
}

int main(void)
{
	RUN(outer_auto_takes_nested_kvm_when_usable);
	RUN(outer_auto_falls_back_to_tcg);
	RUN(outer_kvm_asked_without_nested_is_an_error);
	RUN(crash_line_panic);
	RUN(crash_line_soft_lockup);
	RUN(crash_line_rcu_stall);
	RUN(crash_line_oops);
	RUN(crash_line_ordinary_lines_are_not);
	RUN(release_from_bzimage_header);
	RUN(release_rejects_non_bzimage);
	RUN(release_rejects_missing_version);
	RUN(initramfs_newc_layout);
	return unit_done();
}
