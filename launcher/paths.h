/* Where things are: images, the default expectation list, the log folder.
 * The order is DESIGN.md's, documented in kvm-unit-tests(1), FILES. */
#ifndef KUT_PATHS_H
#define KUT_PATHS_H

#include <stdbool.h>

#include "arch.h"
#include "strv.h"

/* The folder holding the running binary, or NULL. */
char *paths_exe_dir(void);
/* True when the binary runs from its build tree (config.status beside it). */
bool paths_in_build_tree(const char *exe_dir);

/*
 * The folder holding @arch's images: @opt (--images) or else $KUT_IMAGES,
 * each as DIR/<arch>/ or DIR itself; otherwise the build tree beside the
 * binary, <bindir>/../share/kvm-unit-tests/<arch>/, a DESTDIR staging copy
 * of the configured pkgdatadir, and pkgdatadir. NULL when none exists; every
 * candidate tried is pushed to @tried.
 */
char *paths_images(const char *opt, enum arch arch, const char *exe_dir,
		   struct strv *tried);

/* Whether this build made @arch's images (configure's guest arches). */
bool paths_arch_built(enum arch arch);

/* The project's known-failures.md to use when no --expect is given, or NULL. */
char *paths_known_failures(const char *exe_dir);

/* The default log folder: logs/ beside the binary in a build tree, else
 * $XDG_STATE_HOME/kvm-unit-tests or ~/.local/state/kvm-unit-tests; NULL
 * with @why when there is none (a service without HOME). The launcher
 * keeps each arch's logs in an <arch>/ folder under it. */
char *paths_default_log_dir(const char *exe_dir, const char **why);

#endif
