#include <stdio.h>

#include "warn.h"

void vwarn(const char *fmt, va_list ap)
{
	fputs("kvm-unit-tests: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}
