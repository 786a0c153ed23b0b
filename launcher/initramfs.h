/* Writing an initramfs: the "newc" cpio archive the Linux kernel unpacks
 * into its rootfs (Documentation/driver-api/early-userspace/
 * buffer-format.rst), uncompressed. */
#ifndef KUT_INITRAMFS_H
#define KUT_INITRAMFS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct initramfs {
	FILE *out;
	unsigned long ino;
	int error;	/* errno of the first failure, 0 if none */
};

void initramfs_begin(struct initramfs *ir, FILE *out);
void initramfs_dir(struct initramfs *ir, const char *name, mode_t perm);
void initramfs_chardev(struct initramfs *ir, const char *name, mode_t perm,
		       unsigned major, unsigned minor);
void initramfs_data(struct initramfs *ir, const char *name, mode_t perm,
		    const void *data, size_t len);
/* Copies the host file @path in as @name; -1 with errno when unreadable. */
int initramfs_file(struct initramfs *ir, const char *name, mode_t perm,
		   const char *path);
/* The trailer; returns 0, or -1 with errno set on any write error so far. */
int initramfs_end(struct initramfs *ir);

#endif
