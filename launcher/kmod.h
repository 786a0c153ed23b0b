/* A Linux kernel image and its modules, read from files alone (no
 * modprobe, no depmod): the release an image says it is, where its modules
 * are, and which module files to load, in order, for a set of modules. */
#ifndef KUT_KMOD_H
#define KUT_KMOD_H

#include <stddef.h>

#include "strv.h"

/*
 * The release ("6.1.0-57-amd64") of the x86 bzImage @image: the first
 * word of the setup header's kernel_version string (the x86 boot protocol,
 * Documentation/arch/x86/boot.rst: "HdrS" at 0x202, version at 0x20e).
 * Returns a new string, or NULL with @err saying why.
 */
char *kmod_image_release(const char *image, char *err, size_t errlen);

/*
 * The modules folder of @release: beside an extracted package
 * (IMAGE_DIR/../lib/modules/REL, IMAGE_DIR/../usr/lib/modules/REL), then
 * /lib/modules/REL and /usr/lib/modules/REL. NULL when none exists; each
 * candidate tried is pushed to @tried.
 */
char *kmod_default_dir(const char *image, const char *release,
		       struct strv *tried);

/*
 * Pushes to @files the paths under @dir of the modules @want (names, '-'
 * and '_' alike) and of everything they depend on (".modinfo" depends=),
 * dependencies first, each once; compressed modules (kmod_read()) too.
 * Modules listed in DIR/modules.builtin are skipped. Returns 0, or -1 with @err naming the module that is missing or
 * unreadable.
 */
int kmod_resolve(const char *dir, const char *const *want, size_t nwant,
		 struct strv *files, char *err, size_t errlen);

/*
 * Reads the module file @path whole: a .ko as it is, a .ko.xz, .ko.zst or
 * .ko.gz through `xz`, `zstd` or `gzip -dc` (exec'd with an argv), so that
 * the initramfs holds plain modules whatever CONFIG_MODULE_DECOMPRESS the
 * kernel has. Returns 0 with a new @buf, or -1 with @err saying why (the
 * package to install when the decompressor is missing).
 */
int kmod_read(const char *path, char **buf, size_t *len, char *err,
	      size_t errlen);

/* "kvm-amd.ko.xz" -> "kvm-amd.ko": the name a module has in the initramfs. */
char *kmod_plain_name(const char *base);

#endif
