// SPDX-License-Identifier: GPL-2.0-only
/*
 * Formatted output.  One formatter writes into a bounded buffer; snprintf()
 * stops storing at the end of the caller's buffer, printf() hands each full
 * buffer to the console and carries on, so output is never cut.
 */
#include "libcflat.h"

/*
 * printf() formats into a stack buffer of this size before taking the
 * console lock, so that a fault while formatting (a bad %s pointer) does not
 * leave the lock held; only output longer than this is formatted under it.
 */
#define PRINTF_BUF_SIZE	256

static struct spinlock console_lock;

struct fmt_out {
	char *buf;
	size_t size;	/* of buf, room for the NUL included */
	size_t len;	/* chars now in buf */
	size_t total;	/* chars produced so far, stored or not */
	bool console;	/* flush full buffers to the console */
	bool locked;	/* console lock held by this call */
};

static void console_flush(struct fmt_out *out)
{
	out->buf[out->len] = '\0';
	if (!out->locked) {
		spin_lock(&console_lock);
		out->locked = true;
	}
	console_puts(out->buf);
	out->len = 0;
}

static void out_char(struct fmt_out *out, char c)
{
	if (out->console && out->len + 1 >= out->size)
		console_flush(out);
	if (out->len + 1 < out->size)
		out->buf[out->len++] = c;
	out->total++;
}

static void out_repeat(struct fmt_out *out, char c, int n)
{
	while (n-- > 0)
		out_char(out, c);
}

static void out_mem(struct fmt_out *out, const char *s, size_t n)
{
	while (n--)
		out_char(out, *s++);
}

/* Conversion flags, after C11 7.21.6.1p6. */
#define FL_LEFT		(1 << 0)	/* '-' */
#define FL_ZERO		(1 << 1)	/* '0' */
#define FL_PLUS		(1 << 2)	/* '+' */
#define FL_SPACE	(1 << 3)	/* ' ' */
#define FL_ALT		(1 << 4)	/* '#' */
#define FL_UPPER	(1 << 5)	/* %X */
#define FL_PTR		(1 << 6)	/* %p: always "0x" */

struct fmt_spec {
	int flags;
	int width;
	int prec;	/* -1: none given */
};

/* Pads @len chars of body (@prefix not included) out to the width. */
static void out_padded(struct fmt_out *out, const struct fmt_spec *spec,
		       const char *prefix, const char *body, size_t len)
{
	size_t plen = strlen(prefix);
	int pad = spec->width - (int)(plen + len);

	if (!(spec->flags & FL_LEFT))
		out_repeat(out, ' ', pad);
	out_mem(out, prefix, plen);
	out_mem(out, body, len);
	if (spec->flags & FL_LEFT)
		out_repeat(out, ' ', pad);
}

static void out_number(struct fmt_out *out, const struct fmt_spec *spec,
		       unsigned long long val, bool neg, unsigned int base)
{
	const char *digits = spec->flags & FL_UPPER ? "0123456789ABCDEF"
						    : "0123456789abcdef";
	/* 64 bits in octal is 22 digits; precision zeros are not stored. */
	char tmp[24];
	char prefix[3] = "";
	int ndigits = 0, nzeros = 0, pad;
	bool zero = val == 0;
	size_t plen;

	while (val) {
		tmp[sizeof(tmp) - 1 - ndigits++] = digits[val % base];
		val /= base;
	}
	/* A zero value with precision 0 has no digits at all (C11 7.21.6.1p8). */
	if (zero && spec->prec != 0)
		tmp[sizeof(tmp) - 1 - ndigits++] = '0';

	if (neg)
		prefix[0] = '-';
	else if (spec->flags & FL_PLUS)
		prefix[0] = '+';
	else if (spec->flags & FL_SPACE)
		prefix[0] = ' ';
	/* '#' prefixes "0x" to nonzero values only; %p always has it. */
	if (base == 16 && (spec->flags & FL_PTR ||
			   (spec->flags & FL_ALT && !zero))) {
		prefix[0] = '0';
		prefix[1] = spec->flags & FL_UPPER ? 'X' : 'x';
	}
	plen = strlen(prefix);

	if (spec->prec > ndigits)
		nzeros = spec->prec - ndigits;
	/* '#' with 'o' makes the first digit a zero. */
	if (base == 8 && spec->flags & FL_ALT && nzeros == 0 &&
	    (ndigits == 0 || !zero))
		nzeros = 1;
	/* '0' pads with zeros after the sign, unless a precision is given. */
	pad = spec->width - (int)plen - nzeros - ndigits;
	if (spec->flags & FL_ZERO && !(spec->flags & FL_LEFT) &&
	    spec->prec < 0 && pad > 0) {
		nzeros += pad;
		pad = 0;
	}

	if (!(spec->flags & FL_LEFT))
		out_repeat(out, ' ', pad);
	out_mem(out, prefix, plen);
	out_repeat(out, '0', nzeros);
	out_mem(out, tmp + sizeof(tmp) - ndigits, ndigits);
	if (spec->flags & FL_LEFT)
		out_repeat(out, ' ', pad);
}

enum fmt_size { SZ_INT, SZ_CHAR, SZ_SHORT, SZ_LONG, SZ_LLONG, SZ_SIZE,
		SZ_INTMAX, SZ_PTRDIFF };

static long long arg_signed(va_list *ap, enum fmt_size size)
{
	switch (size) {
	case SZ_CHAR:	return (signed char)va_arg(*ap, int);
	case SZ_SHORT:	return (short)va_arg(*ap, int);
	case SZ_LONG:	return va_arg(*ap, long);
	case SZ_LLONG:	return va_arg(*ap, long long);
	/* The signed type of size_t's width: ptrdiff_t on every target. */
	case SZ_SIZE:	return va_arg(*ap, ptrdiff_t);
	case SZ_INTMAX:	return va_arg(*ap, intmax_t);
	case SZ_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	default:	return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(va_list *ap, enum fmt_size size)
{
	switch (size) {
	case SZ_CHAR:	return (unsigned char)va_arg(*ap, unsigned int);
	case SZ_SHORT:	return (unsigned short)va_arg(*ap, unsigned int);
	case SZ_LONG:	return va_arg(*ap, unsigned long);
	case SZ_LLONG:	return va_arg(*ap, unsigned long long);
	case SZ_SIZE:	return va_arg(*ap, size_t);
	case SZ_INTMAX:	return va_arg(*ap, uintmax_t);
	case SZ_PTRDIFF: return (size_t)va_arg(*ap, ptrdiff_t);
	default:	return va_arg(*ap, unsigned int);
	}
}

static int parse_int(const char **p)
{
	int n = 0;

	while (isdigit(**p)) {
		if (n < INT_MAX / 10)
			n = n * 10 + (**p - '0');
		(*p)++;
	}
	return n;
}

static void format(struct fmt_out *out, const char *fmt, va_list ap_in)
{
	va_list ap;
	const char *p;

	/* A copy, so that the helpers can take it by address on every ABI. */
	va_copy(ap, ap_in);
	for (p = fmt; *p; p++) {
		struct fmt_spec spec = { .flags = 0, .width = 0, .prec = -1 };
		enum fmt_size size = SZ_INT;
		const char *start = p;

		if (*p != '%') {
			out_char(out, *p);
			continue;
		}
		p++;

		for (;; p++) {
			if (*p == '-')
				spec.flags |= FL_LEFT;
			else if (*p == '0')
				spec.flags |= FL_ZERO;
			else if (*p == '+')
				spec.flags |= FL_PLUS;
			else if (*p == ' ')
				spec.flags |= FL_SPACE;
			else if (*p == '#')
				spec.flags |= FL_ALT;
			else
				break;
		}

		if (*p == '*') {
			spec.width = va_arg(ap, int);
			/* A negative width is a '-' flag (C11 7.21.6.1p5). */
			if (spec.width < 0) {
				spec.flags |= FL_LEFT;
				spec.width = spec.width == INT_MIN ? INT_MAX
								  : -spec.width;
			}
			p++;
		} else {
			spec.width = parse_int(&p);
		}

		if (*p == '.') {
			p++;
			if (*p == '*') {
				spec.prec = va_arg(ap, int);
				if (spec.prec < 0)
					spec.prec = -1;
				p++;
			} else {
				spec.prec = parse_int(&p);
			}
		}

		switch (*p) {
		case 'h':
			size = SZ_SHORT;
			if (p[1] == 'h') {
				size = SZ_CHAR;
				p++;
			}
			p++;
			break;
		case 'l':
			size = SZ_LONG;
			if (p[1] == 'l') {
				size = SZ_LLONG;
				p++;
			}
			p++;
			break;
		case 'z':
			size = SZ_SIZE;
			p++;
			break;
		case 'j':
			size = SZ_INTMAX;
			p++;
			break;
		case 't':
			size = SZ_PTRDIFF;
			p++;
			break;
		}

		switch (*p) {
		case 'd':
		case 'i': {
			long long v = arg_signed(&ap, size);
			unsigned long long mag = v < 0 ? -(unsigned long long)v
						       : (unsigned long long)v;

			out_number(out, &spec, mag, v < 0, 10);
			break;
		}
		case 'u':
			spec.flags &= ~(FL_PLUS | FL_SPACE);
			out_number(out, &spec, arg_unsigned(&ap, size), false, 10);
			break;
		case 'X':
			spec.flags |= FL_UPPER;
			/* fall through */
		case 'x':
			spec.flags &= ~(FL_PLUS | FL_SPACE);
			out_number(out, &spec, arg_unsigned(&ap, size), false, 16);
			break;
		case 'o':
			spec.flags &= ~(FL_PLUS | FL_SPACE);
			out_number(out, &spec, arg_unsigned(&ap, size), false, 8);
			break;
		case 'p':
			spec.flags &= ~(FL_PLUS | FL_SPACE | FL_ALT);
			spec.flags |= FL_PTR;
			out_number(out, &spec,
				   (uintptr_t)va_arg(ap, void *), false, 16);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			out_padded(out, &spec, "", s,
				   spec.prec < 0 ? strlen(s)
						 : strnlen(s, spec.prec));
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			out_padded(out, &spec, "", &c, 1);
			break;
		}
		case '%':
			out_char(out, '%');
			break;
		default:
			/*
			 * Unknown or truncated: print the directive as written
			 * so the mistake shows up in the log.
			 */
			out_mem(out, start, p - start);
			if (!*p)
				p--;
			else
				out_char(out, *p);
			break;
		}
	}
	va_end(ap);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out out = { .buf = buf, .size = size };

	format(&out, fmt, ap);
	if (size)
		buf[out.len] = '\0';
	return out.total > INT_MAX ? INT_MAX : (int)out.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_BUF_SIZE];
	struct fmt_out out = { .buf = buf, .size = sizeof(buf),
			       .console = true };

	format(&out, fmt, ap);
	console_flush(&out);
	spin_unlock(&console_lock);
	return out.total > INT_MAX ? INT_MAX : (int)out.total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vprintf(fmt, ap);
	va_end(ap);
	return ret;
}

void console_print_emergency(const char *s)
{
	/*
	 * The lock may be held by this very CPU (a fault inside printf); wait
	 * long enough for another CPU to finish its line, then write anyway.
	 */
	unsigned long tries = 10 * 1000 * 1000;
	bool locked = false;

	while (tries-- && !(locked = spin_trylock(&console_lock)))
		barrier();
	console_puts(s);
	if (locked)
		spin_unlock(&console_lock);
}

void console_print(const char *s)
{
	spin_lock(&console_lock);
	console_puts(s);
	spin_unlock(&console_lock);
}

int puts(const char *s)
{
	spin_lock(&console_lock);
	console_puts(s);
	console_puts("\n");
	spin_unlock(&console_lock);
	return 1;
}

int putchar(int c)
{
	char s[2] = { (char)c, '\0' };

	console_print(s);
	return (unsigned char)c;
}
