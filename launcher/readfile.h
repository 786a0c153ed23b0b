/* Reading a whole, bounded, regular file into memory. */
#ifndef KUT_READFILE_H
#define KUT_READFILE_H

#include <stddef.h>

/*
 * Reads @path into a NUL-terminated buffer (*@buf, *@len without the NUL).
 * Returns 0; or -1 with errno set (EFBIG beyond @max bytes, EISDIR for a
 * directory) and @err holding "PATH: why".
 */
int read_file(const char *path, size_t max, char **buf, size_t *len,
	      char *err, size_t errlen);

#endif
