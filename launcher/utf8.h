/* UTF-8 validation for what the launcher copies from guest output into
 * TAP YAML and JUnit XML: a guest may print any bytes. */
#ifndef KUT_UTF8_H
#define KUT_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed UTF-8 sequence at @s, or 0 when the bytes
 * there are not one (RFC 3629: no overlong forms, nothing above U+10FFFF's
 * lead bytes). @s must be NUL-terminated. */
size_t utf8_len(const unsigned char *s);

#endif
