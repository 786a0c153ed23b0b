/* The unittests.cfg files compiled into the binary (catalog.S). */
#ifndef KUT_CATALOG_H
#define KUT_CATALOG_H

#include <stddef.h>

/*
 * The embedded cfg for arch family @family ("x86", "arm", "powerpc"):
 * returns 0 with its source name ("x86/unittests.cfg"), bytes and length,
 * or -1 when this binary was built without one.
 */
int catalog_get(const char *family, const char **name, const char **data,
		size_t *len);

#endif
