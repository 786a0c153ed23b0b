#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "initramfs.h"
#include "readfile.h"

#define NEWC_MAGIC "070701"
#define NEWC_ALIGN 4
#define FILE_MAX (256u << 20)	/* a kernel module is a few MiB at most */

static void pad(struct initramfs *ir, size_t len)
{
	static const char zeros[NEWC_ALIGN];
	size_t n = (NEWC_ALIGN - len % NEWC_ALIGN) % NEWC_ALIGN;

	if (n && fwrite(zeros, 1, n, ir->out) != n && !ir->error)
		ir->error = errno ? errno : EIO;
}

/* One header, then the name and its NUL, padded so that the data starts
 * at a multiple of four from the archive's start. */
static void header(struct initramfs *ir, const char *name, mode_t mode,
		   size_t size, unsigned rmajor, unsigned rminor)
{
	size_t namesize = strlen(name) + 1;
	int n;

	n = fprintf(ir->out,
		    NEWC_MAGIC "%08lX%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		    ++ir->ino, (unsigned)mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u,
		    0u, size, 0u, 0u, rmajor, rminor, namesize, 0u);
	if (n < 0 || fwrite(name, 1, namesize, ir->out) != namesize) {
		if (!ir->error)
			ir->error = errno ? errno : EIO;
		return;
	}
	pad(ir, (size_t)n + namesize);
}

void initramfs_begin(struct initramfs *ir, FILE *out)
{
	memset(ir, 0, sizeof(*ir));
	ir->out = out;
}

void initramfs_dir(struct initramfs *ir, const char *name, mode_t perm)
{
	header(ir, name, S_IFDIR | perm, 0, 0, 0);
}

void initramfs_chardev(struct initramfs *ir, const char *name, mode_t perm,
		       unsigned major, unsigned minor)
{
	header(ir, name, S_IFCHR | perm, 0, major, minor);
}

void initramfs_data(struct initramfs *ir, const char *name, mode_t perm,
		    const void *data, size_t len)
{
	header(ir, name, S_IFREG | perm, len, 0, 0);
	if (len && fwrite(data, 1, len, ir->out) != len && !ir->error)
		ir->error = errno ? errno : EIO;
	pad(ir, len);
}

int initramfs_file(struct initramfs *ir, const char *name, mode_t perm,
		   const char *path)
{
	char err[256], *buf;
	size_t len;

	if (read_file(path, FILE_MAX, &buf, &len, err, sizeof(err)) < 0)
		return -1;
	initramfs_data(ir, name, perm, buf, len);
	free(buf);
	return 0;
}

int initramfs_end(struct initramfs *ir)
{
	header(ir, "TRAILER!!!", 0, 0, 0, 0);
	if (fflush(ir->out) == EOF && !ir->error)
		ir->error = errno ? errno : EIO;
	if (ir->error) {
		errno = ir->error;
		return -1;
	}
	return 0;
}
