/* One line on stderr, "kvm-unit-tests: what: why" (STYLE.md): the
 * launcher's only way to tell the user something outside the TAP. */
#ifndef KUT_WARN_H
#define KUT_WARN_H

#include <stdarg.h>

void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vwarn(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
