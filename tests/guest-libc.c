// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-side test of the arch-neutral guest library (lib/): printf family,
 * strings, number parsing, the heap, the report API, argv, exit and assert.
 * Prints TAP.
 *
 * Built with tests/guest-libc-rename.h force-included, so printf, malloc,
 * strlen... below are the guest library's (kut_printf, ...), never glibc's.
 * The harness itself does not rely on the code under test: it compares
 * strings with its own loop and prints TAP through write(2).
 */
#include "libcflat.h"
#include "migrate.h"

#include <setjmp.h>
#include <unistd.h>

/* ---- harness ---- */

static unsigned int ntests, nfailed;

static void out(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	while (n) {
		ssize_t w = write(1, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= w;
	}
}

static void out_uint(unsigned long v)
{
	char buf[24];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	out(buf + i);
}

/* Prints @s with newlines and other controls escaped, for diagnostics. */
static void out_escaped(const char *s)
{
	char c[2] = "";

	out("\"");
	for (; *s; s++) {
		if (*s == '\n') {
			out("\\n");
		} else if ((unsigned char)*s < ' ') {
			out("\\x");
			c[0] = "0123456789abcdef"[(unsigned char)*s >> 4];
			out(c);
			c[0] = "0123456789abcdef"[*s & 15];
			out(c);
		} else {
			c[0] = *s;
			out(c);
		}
	}
	out("\"");
}

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static size_t length(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int memcmp_host(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return 1;
	}
	return 0;
}

static bool ok(bool cond, const char *name)
{
	ntests++;
	if (!cond) {
		nfailed++;
		out("not ");
	}
	out("ok ");
	out_uint(ntests);
	out(" - ");
	/* A bare '#' would start a TAP directive ("%#x" in a name). */
	for (; *name; name++) {
		char c[2] = { *name, '\0' };

		out(*name == '#' ? "\\#" : c);
	}
	out("\n");
	return cond;
}

static void diag_str(const char *what, const char *s)
{
	out("#   ");
	out(what);
	out(": ");
	out_escaped(s);
	out("\n");
}

static void diag_num(const char *what, long v)
{
	out("#   ");
	out(what);
	out(": ");
	if (v < 0) {
		out("-");
		out_uint(-(unsigned long)v);
	} else {
		out_uint(v);
	}
	out("\n");
}

static bool ok_str(const char *got, const char *want, const char *name)
{
	bool cond = same(got, want);

	if (!ok(cond, name)) {
		diag_str("got ", got ? got : "(NULL)");
		diag_str("want", want ? want : "(NULL)");
	}
	return cond;
}

static bool ok_num(long got, long want, const char *name)
{
	if (!ok(got == want, name)) {
		diag_num("got ", got);
		diag_num("want", want);
		return false;
	}
	return true;
}

/* ---- the arch hooks, captured ---- */

static char console[64 * 1024];
static size_t console_len;
static unsigned int console_calls;

void console_puts(const char *s)
{
	console_calls++;
	while (*s && console_len < sizeof(console) - 1)
		console[console_len++] = *s++;
	console[console_len] = '\0';
}

static void console_clear(void)
{
	console_len = 0;
	console[0] = '\0';
	console_calls = 0;
}

/* Console input: console_getc() returns input_script[] in turn, then -1. */
static const int *input_script;
static unsigned int input_calls, input_len;

int console_getc(void)
{
	unsigned int i = input_calls++;

	return input_script && i < input_len ? input_script[i] : -1;
}

static jmp_buf exit_jmp;

void arch_exit(int code)
{
	/* setjmp() returns 0 the first time: encode the status as code + 1. */
	longjmp(exit_jmp, code + 1);
}

/* ---- printf family ---- */

/* The limits of long as text: the host may be 32- or 64-bit. */
#if __SIZEOF_LONG__ == 8
#define LONG_MAX_STR		"9223372036854775807"
#define LONG_MAX_PLUS1_STR	"9223372036854775808"
#define LONG_MIN_STR		"-9223372036854775808"
#define LONG_MIN_MINUS1_STR	"-9223372036854775809"
#define ULONG_MAX_STR		"18446744073709551615"
#define ULONG_MAX_PLUS1_STR	"18446744073709551616"
#else
#define LONG_MAX_STR		"2147483647"
#define LONG_MAX_PLUS1_STR	"2147483648"
#define LONG_MIN_STR		"-2147483648"
#define LONG_MIN_MINUS1_STR	"-2147483649"
#define ULONG_MAX_STR		"4294967295"
#define ULONG_MAX_PLUS1_STR	"4294967296"
#endif

/*
 * Not marked __printf: some cases below are combinations GCC's -Wformat
 * rightly calls odd (a '0' flag with a precision), but C defines them.
 */
static void check_fmt(const char *want, const char *fmt, ...)
{
	char buf[256], name[128];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	/* The name is built by hand, not by the code under test. */
	name[0] = '\0';
	{
		size_t n = 0, i;
		const char *parts[] = { "snprintf \"", fmt, "\" -> \"", want,
					"\"" };

		for (i = 0; i < ARRAY_SIZE(parts); i++) {
			const char *p = parts[i];

			while (*p && n < sizeof(name) - 1)
				name[n++] = *p++;
		}
		name[n] = '\0';
	}
	if (ok_str(buf, want, name) && ret != (int)length(want)) {
		ok_num(ret, length(want), "  ... and returns the length");
	}
}

static void test_printf_conversions(void)
{
	check_fmt("42", "%d", 42);
	check_fmt("-42", "%d", -42);
	check_fmt("7", "%i", 7);
	check_fmt("-2147483648", "%d", INT_MIN);
	check_fmt("4294967295", "%u", 4294967295u);
	check_fmt("ff", "%x", 255);
	check_fmt("FF", "%X", 255);
	check_fmt("deadbeef", "%x", 0xdeadbeefu);
	check_fmt("10", "%o", 8);
	check_fmt("0", "%x", 0);
	check_fmt("abc", "%s", "abc");
	check_fmt("(null)", "%s", (char *)NULL);
	check_fmt("x", "%c", 'x');
	check_fmt("100%", "100%%");
	check_fmt("0x1234", "%p", (void *)0x1234);
	check_fmt("0x0", "%p", NULL);
	check_fmt(sizeof(void *) == 8 ? "0xffffffffffffffff" : "0xffffffff",
		  "%p", (void *)UINTPTR_MAX);
	check_fmt("k=v 12 c", "%s=%s %d %c", "k", "v", 12, 'c');
	/* Unknown directives are printed as written, and so is a lone '%'. */
	check_fmt("%y", "%y");
	check_fmt("abc%", "abc%");
}

static void test_printf_flags_width_precision(void)
{
	check_fmt("   42", "%5d", 42);
	check_fmt("42   |", "%-5d|", 42);
	check_fmt("00042", "%05d", 42);
	check_fmt("-0042", "%05d", -42);
	check_fmt("+42", "%+d", 42);
	check_fmt("-42", "%+d", -42);
	check_fmt("+0", "%+d", 0);
	check_fmt(" 42", "% d", 42);
	check_fmt("+42", "%+ d", 42);
	check_fmt("+3   |", "%-+5d|", 3);
	check_fmt("42   |", "%-05d|", 42);
	check_fmt("42", "%1d", 42);
	check_fmt("0xff", "%#x", 255);
	check_fmt("0XFF", "%#X", 255);
	check_fmt("0", "%#x", 0);
	check_fmt("010", "%#o", 8);
	check_fmt("0", "%#o", 0);
	check_fmt("0x0000ff", "%#08x", 255);
	check_fmt("      0xff", "%#10x", 255);
	check_fmt("007", "%.3d", 7);
	check_fmt("-007", "%.3d", -7);
	check_fmt("", "%.0d", 0);
	check_fmt("  ", "%2.0x", 0);
	check_fmt("0", "%#.0o", 0);
	check_fmt("  007", "%5.3d", 7);
	check_fmt("  007", "%05.3d", 7);
	check_fmt("010", "%#.3o", 8);
	check_fmt("00010", "%#.5o", 8);
	check_fmt("0x00ff", "%#.4x", 255);
	check_fmt("   1", "%*d", 4, 1);
	check_fmt("1   |", "%*d|", -4, 1);
	check_fmt("005", "%.*d", 3, 5);
	check_fmt("5", "%.*d", -1, 5);
	check_fmt("  abc", "%5s", "abc");
	check_fmt("abc  |", "%-5s|", "abc");
	check_fmt("ab", "%.2s", "abc");
	check_fmt("a", "%.*s", 1, "abc");
	check_fmt("", "%.0s", "abc");
	check_fmt("   ab", "%5.2s", "abc");
	check_fmt("abc", "%.10s", "abc");
	check_fmt("  x", "%3c", 'x');
	check_fmt("x  |", "%-3c|", 'x');
	check_fmt("    0x1234", "%10p", (void *)0x1234);
	check_fmt("0x1234    |", "%-10p|", (void *)0x1234);
}

static void test_printf_sizes(void)
{
	check_fmt("44", "%hhd", 300);
	check_fmt("-1", "%hhd", 255);
	check_fmt("ff", "%hhx", 0x1ff);
	check_fmt("4464", "%hd", 70000);
	check_fmt("-1", "%hd", 65535);
	check_fmt("1", "%hu", 65537);
	check_fmt(LONG_MIN_STR, "%ld", LONG_MIN);
	check_fmt(ULONG_MAX_STR, "%lu", ULONG_MAX);
	check_fmt("-9223372036854775808", "%lld", LLONG_MIN);
	check_fmt("18446744073709551615", "%llu", ULLONG_MAX);
	check_fmt("ffffffffffffffff", "%llx", ULLONG_MAX);
	check_fmt("1777777777777777777777", "%llo", ULLONG_MAX);
	check_fmt("12345", "%zu", (size_t)12345);
	check_fmt("-5", "%zd", (ptrdiff_t)-5);
	check_fmt(sizeof(size_t) == 8 ? "ffffffffffffffff" : "ffffffff",
		  "%zx", SIZE_MAX);
	check_fmt("-1", "%jd", (intmax_t)-1);
	check_fmt("18446744073709551615", "%ju", UINTMAX_MAX);
	check_fmt("-7", "%td", (ptrdiff_t)-7);
	/* The argument after a wide one must still be found. */
	check_fmt("1 2 3", "%lld %hhd %zu", 1LL, 2, (size_t)3);
	check_fmt("0000000000001234", "%016llx", 0x1234ULL);
}

static void test_snprintf_truncation(void)
{
	char buf[16];
	int ret, i;

	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = 'Z';
	ret = snprintf(buf, 5, "%d", 123456);
	ok_str(buf, "1234", "snprintf cuts to size - 1 and terminates");
	ok_num(ret, 6, "snprintf returns the untruncated length");
	ok(buf[5] == 'Z', "snprintf writes nothing past size");

	ret = snprintf(NULL, 0, "%s", "hello");
	ok_num(ret, 5, "snprintf(NULL, 0) returns the length and writes nothing");

	buf[0] = 'Z';
	ret = snprintf(buf, 1, "abc");
	ok(buf[0] == '\0' && ret == 3, "snprintf with size 1 stores only the NUL");

	ret = snprintf(buf, sizeof(buf), "%20s", "x");
	ok(ret == 20 && length(buf) == sizeof(buf) - 1,
	   "snprintf cuts padding too");
}

static void test_console_output(void)
{
	static char big[3000];
	int ret;
	size_t i;

	console_clear();
	ret = printf("a%db\n", 5);
	ok_str(console, "a5b\n", "printf reaches console_puts");
	ok_num(ret, 4, "printf returns the length");

	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = 'a' + i % 26;
	big[sizeof(big) - 1] = '\0';
	console_clear();
	ret = printf("<%s>", big);
	ok(console_len == sizeof(big) + 1 && console[0] == '<' &&
	   !memcmp_host(console + 1, big, sizeof(big) - 1) &&
	   console[console_len - 1] == '>',
	   "printf of 3000 chars is not cut");
	ok_num(ret, sizeof(big) + 1, "printf of 3000 chars returns the length");

	console_clear();
	puts("hi");
	ok_str(console, "hi\n", "puts appends a newline");

	console_clear();
	putchar('x');
	console_print("yz");
	ok_str(console, "xyz", "putchar and console_print");
}

/* ---- string.c ---- */

static void test_strings(void)
{
	char buf[32];
	unsigned char hi[2] = { 0x80, 0 }, lo[2] = { 0x01, 0 };
	const char *hay = "hello world";

	ok_num(strlen(""), 0, "strlen empty");
	ok_num(strlen("abc"), 3, "strlen");
	ok_num(strnlen("abcdef", 3), 3, "strnlen stops at maxlen");
	ok_num(strnlen("ab", 10), 2, "strnlen stops at NUL");
	ok(strcmp("abc", "abc") == 0, "strcmp equal");
	ok(strcmp("abc", "abd") < 0, "strcmp less");
	ok(strcmp("abd", "abc") > 0, "strcmp greater");
	ok(strcmp("ab", "abc") < 0, "strcmp prefix is less");
	ok(strcmp((char *)hi, (char *)lo) > 0, "strcmp compares as unsigned char");
	ok(strncmp("abcX", "abcY", 3) == 0, "strncmp stops at n");
	ok(strncmp("ab", "ac", 5) < 0, "strncmp differs");
	ok(strncmp("a", "a", 5) == 0, "strncmp stops at NUL");
	ok(strchr(hay, 'o') == hay + 4, "strchr first");
	ok(strchr(hay, '\0') == hay + 11, "strchr finds the NUL");
	ok(strchr(hay, 'z') == NULL, "strchr missing");
	ok(strrchr(hay, 'o') == hay + 7, "strrchr last");
	ok(strrchr(hay, 'z') == NULL, "strrchr missing");
	ok(strstr(hay, "wor") == hay + 6, "strstr found");
	ok(strstr(hay, "") == hay, "strstr empty needle");
	ok(strstr(hay, "word") == NULL, "strstr missing");
	ok(strstr("aab", "ab") != NULL, "strstr after a false start");

	ok(strcpy(buf, "abc") == buf && same(buf, "abc"), "strcpy");
	ok(strcat(buf, "de") == buf && same(buf, "abcde"), "strcat");
	memset(buf, 'Z', sizeof(buf));
	strncpy(buf, "ab", 5);
	ok(buf[0] == 'a' && buf[1] == 'b' && buf[2] == 0 && buf[4] == 0 &&
	   buf[5] == 'Z', "strncpy pads with NULs up to n");
	strncpy(buf, "abcdef", 3);
	ok(buf[2] == 'c' && buf[3] == 0, "strncpy copies only n");

	ok(memset(buf, 7, 4) == buf && buf[0] == 7 && buf[3] == 7 &&
	   buf[4] == 0, "memset");
	ok(memcpy(buf, "12345", 6) == buf && same(buf, "12345"), "memcpy");
	memmove(buf + 1, buf, 6);
	ok_str(buf, "112345", "memmove to a higher overlapping address");
	memmove(buf, buf + 2, 5);
	ok_str(buf, "2345", "memmove to a lower overlapping address");
	ok(memcmp("abc", "abd", 3) < 0 && memcmp("abc", "abd", 2) == 0,
	   "memcmp");
	ok(memcmp(hi, lo, 1) > 0, "memcmp compares as unsigned char");
	ok(memchr(hay, 'w', 11) == hay + 6, "memchr found");
	ok(memchr(hay, 'w', 6) == NULL, "memchr honours n");
	ok(memchr(hi, 0x80, 1) == hi, "memchr with a high byte");
}

/* ---- stdlib.c ---- */

static void test_strtol(void)
{
	const char *s;
	char *end;

	s = "123";
	ok(strtol(s, &end, 10) == 123 && end == s + 3, "strtol decimal");
	s = "  -42xyz";
	ok(strtol(s, &end, 10) == -42 && end == s + 5,
	   "strtol skips blanks, takes a sign, stops at junk");
	s = "+7";
	ok(strtol(s, &end, 10) == 7 && end == s + 2, "strtol plus sign");
	s = "0x1f";
	ok(strtol(s, &end, 0) == 31 && end == s + 4, "strtol base 0 hex");
	ok(strtol(s, &end, 16) == 31 && end == s + 4, "strtol base 16 0x");
	s = "1F";
	ok(strtol(s, &end, 16) == 31, "strtol base 16 upper case");
	s = "017";
	ok(strtol(s, &end, 0) == 15 && end == s + 3, "strtol base 0 octal");
	s = "019";
	ok(strtol(s, &end, 0) == 1 && end == s + 2, "strtol octal stops at 9");
	s = "0";
	ok(strtol(s, &end, 0) == 0 && end == s + 1, "strtol base 0 zero");
	s = "0xg";
	ok(strtol(s, &end, 16) == 0 && end == s + 1,
	   "strtol \"0x\" without a hex digit parses the 0");
	s = "abc";
	ok(strtol(s, &end, 10) == 0 && end == s, "strtol no digits: end = s");
	s = " -";
	ok(strtol(s, &end, 10) == 0 && end == s, "strtol lone sign: end = s");
	s = "101";
	ok(strtol(s, &end, 2) == 5, "strtol base 2");
	s = "z";
	ok(strtol(s, &end, 36) == 35, "strtol base 36");
	s = "12";
	ok(strtol(s, &end, 1) == 0 && end == s, "strtol rejects base 1");
	ok(strtol(s, &end, 37) == 0 && end == s, "strtol rejects base 37");
	s = LONG_MAX_STR;
	ok(strtol(s, &end, 10) == LONG_MAX && end == s + length(s),
	   "strtol LONG_MAX");
	s = LONG_MAX_PLUS1_STR;
	ok(strtol(s, &end, 10) == LONG_MAX && end == s + length(s),
	   "strtol overflow clamps to LONG_MAX and consumes the digits");
	s = LONG_MIN_STR;
	ok(strtol(s, &end, 10) == LONG_MIN, "strtol LONG_MIN");
	s = LONG_MIN_MINUS1_STR;
	ok(strtol(s, &end, 10) == LONG_MIN, "strtol underflow clamps");
	s = "99999999999999999999999999";
	ok(strtoll(s, &end, 10) == LLONG_MAX && end == s + 26,
	   "strtoll overflow clamps");
	s = "-99999999999999999999999999";
	ok(strtoll(s, &end, 10) == LLONG_MIN, "strtoll underflow clamps");
	s = ULONG_MAX_STR;
	ok(strtoul(s, &end, 10) == ULONG_MAX, "strtoul ULONG_MAX");
	s = ULONG_MAX_PLUS1_STR;
	ok(strtoul(s, &end, 10) == ULONG_MAX && end == s + length(s),
	   "strtoul overflow clamps");
	s = "-1";
	ok(strtoul(s, &end, 10) == ULONG_MAX, "strtoul \"-1\" is ULONG_MAX");
	s = "ffffffffffffffff";
	ok(strtoull(s, &end, 16) == ULLONG_MAX, "strtoull hex max");
	s = "0x10000000000000000";
	ok(strtoull(s, &end, 0) == ULLONG_MAX, "strtoull overflow clamps");
	ok(strtol("12", NULL, 10) == 12, "strtol with endptr NULL");
	ok_num(atoi("  12abc"), 12, "atoi");
	ok_num(atoi("-2147483649"), INT_MIN, "atoi clamps to INT_MIN");
	ok_num(atol("-77"), -77, "atol");
}

/* ---- alloc.c ---- */

#define HEAP_SIZE	(2 * 1024 * 1024)
static char heap[HEAP_SIZE] __aligned(4096);

static bool in_heap(void *p, size_t size)
{
	return (char *)p >= heap && (char *)p + size <= heap + HEAP_SIZE;
}

/* A small LCG: the order of frees must be scrambled, and repeatable. */
static unsigned int lcg(unsigned int *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 16;
}

static void test_alloc_basics(void)
{
	size_t initial;
	char *a, *b, *c, *d;
	unsigned char *z;
	size_t i;
	bool zero = true;

	ok(malloc(16) == NULL, "malloc before heap_init returns NULL");
	heap_init(heap, HEAP_SIZE);
	initial = heap_free_bytes();
	ok_num(initial, HEAP_SIZE, "heap_free_bytes after heap_init");

	a = malloc(100);
	ok(a && in_heap(a, 100) && IS_ALIGNED((uintptr_t)a, MALLOC_ALIGN),
	   "malloc returns aligned memory inside the heap");
	ok(heap_free_bytes() < initial, "malloc takes from the free bytes");
	free(a);
	ok_num(heap_free_bytes(), initial, "free gives it all back");

	a = malloc(64);
	b = malloc(64);
	c = malloc(64);
	free(b);
	d = malloc(64);
	ok(d == b, "malloc reuses the block just freed between two live ones");
	free(a);
	free(c);
	free(d);
	ok_num(heap_free_bytes(), initial, "neighbours merge on free");

	a = malloc(HEAP_SIZE - MALLOC_ALIGN);
	ok(a != NULL, "after merging, one block can take the whole heap");
	ok(malloc(1) == NULL, "malloc fails when the heap is full");
	free(a);

	ok(malloc(HEAP_SIZE) == NULL, "malloc larger than the heap fails");
	ok(malloc(SIZE_MAX) == NULL, "malloc(SIZE_MAX) fails, no wrap");
	ok(memalign(24, 8) == NULL, "memalign rejects a non-power-of-two");
	ok(memalign(0, 8) == NULL, "memalign rejects 0");

	a = malloc(0);
	b = malloc(0);
	ok(a && b && a != b, "malloc(0) gives distinct pointers");
	free(a);
	free(b);
	free(NULL);

	z = malloc(512);
	memset(z, 0xaa, 512);
	free(z);
	z = calloc(32, 16);
	for (i = 0; i < 512; i++)
		zero &= z[i] == 0;
	ok(zero, "calloc zeroes reused memory");
	free(z);
	ok(calloc(SIZE_MAX / 2, 4) == NULL, "calloc catches nmemb * size overflow");

	a = malloc(40);
	memcpy(a, "0123456789", 11);
	b = realloc(a, 40);
	ok(b == a, "realloc to the same size keeps the block");
	b = realloc(a, 5000);
	ok(b && same(b, "0123456789"), "realloc to a larger size keeps contents");
	c = realloc(NULL, 10);
	ok(c != NULL, "realloc(NULL) is malloc");
	ok(realloc(c, 0) == NULL, "realloc(p, 0) frees");
	free(b);
	ok_num(heap_free_bytes(), initial, "nothing leaked in the basics");
}

static void test_memalign(void)
{
	size_t initial = heap_free_bytes();
	size_t align;
	char name[64];

	for (align = 8; align <= 64 * 1024; align <<= 1) {
		void *filler = malloc(24);
		void *p = memalign(align, 3 * align);
		void *q = malloc(24);

		snprintf(name, sizeof(name), "memalign(%zu) aligned, in the heap",
			 align);
		ok(p && IS_ALIGNED((uintptr_t)p, align) &&
		   in_heap(p, 3 * align), name);
		/* Filling it must not touch the neighbours' headers. */
		if (p)
			memset(p, 0x5a, 3 * align);
		free(q);
		free(p);
		free(filler);
	}
	ok_num(heap_free_bytes(), initial,
	       "memalign's leading gaps return to the free list");
	{
		void *p = memalign(1024 * 1024, 100);

		ok(p && IS_ALIGNED((uintptr_t)p, 1024 * 1024),
		   "memalign larger than a page (1 MiB)");
		free(p);
	}
}

#define NBLOCKS	300

static void test_alloc_stress(void)
{
	static struct {
		unsigned char *p;
		size_t size;
	} blk[NBLOCKS];
	size_t initial = heap_free_bytes();
	unsigned int seed = 1, i, j, left;
	bool all = true, intact = true, disjoint = true;

	for (i = 0; i < NBLOCKS; i++) {
		size_t align = (size_t)1 << (lcg(&seed) % 13);

		blk[i].size = 1 + lcg(&seed) % 3000;
		if (lcg(&seed) % 2) {
			blk[i].p = memalign(align, blk[i].size);
		} else {
			blk[i].p = malloc(blk[i].size);
			align = MALLOC_ALIGN;
		}
		if (!blk[i].p || !IS_ALIGNED((uintptr_t)blk[i].p, align) ||
		    !in_heap(blk[i].p, blk[i].size)) {
			all = false;
			break;
		}
		memset(blk[i].p, i & 0xff, blk[i].size);
	}
	if (!ok(all, "300 mixed malloc/memalign blocks, aligned and in the heap"))
		return;

	for (i = 0; i < NBLOCKS; i++) {
		for (j = 0; blk[i].p && j < blk[i].size; j++)
			intact &= blk[i].p[j] == (i & 0xff);
		for (j = i + 1; blk[i].p && j < NBLOCKS; j++) {
			if (blk[j].p && blk[i].p < blk[j].p + blk[j].size &&
			    blk[j].p < blk[i].p + blk[i].size)
				disjoint = false;
		}
	}
	ok(disjoint, "no two live blocks overlap");
	ok(intact, "each block keeps what was written to it");

	/* Free in a scrambled order, then everything must merge back. */
	for (left = NBLOCKS; left; left--) {
		unsigned int k = lcg(&seed) % left;

		for (i = 0; i < NBLOCKS; i++) {
			if (blk[i].size && k-- == 0)
				break;
		}
		free(blk[i].p);
		blk[i].size = 0;
	}
	ok_num(heap_free_bytes(), initial,
	       "freeing 300 blocks in random order merges the heap back");
	{
		void *p = malloc(HEAP_SIZE - MALLOC_ALIGN);

		ok(p != NULL, "and it is one block again");
		free(p);
	}
}

/* ---- report.c ---- */

static void check_console(const char *want, const char *name)
{
	ok_str(console, want, name);
	console_clear();
}

static void test_report(void)
{
	char long_prefix[300], long_msg[2000];
	size_t i;
	bool ret;
	int status;

	console_clear();
	status = report_summary();
	check_console("SUMMARY: 0 tests, 0 unexpected failures, 0 expected failures, 0 skipped\n",
		      "report_summary line with nothing reported");
	ok_num(status, 77, "report_summary: nothing ran -> 77");

	report_info("hello %d", 1);
	check_console("INFO: hello 1\n", "report_info line");
	ok_num(report_summary(), 77, "INFO is not a test");
	console_clear();

	report_skip("no x2APIC: CPUID.1:ECX[21] clear");
	check_console("SKIP: no x2APIC: CPUID.1:ECX[21] clear\n",
		      "report_skip line");
	ok_num(report_summary(), 77, "report_summary: only skips -> 77");
	console_clear();

	report_prefix_push("apic");
	report_prefix_push("x2apic");
	ret = report(true, "self IPI %d", 2);
	check_console("PASS: apic: x2apic: self IPI 2\n",
		      "report PASS line with two prefixes");
	ok(ret, "report returns cond (true)");
	ok_num(report_summary(), 0, "report_summary: passes and skips -> 0");
	console_clear();

	report_prefix_pop();
	report_pass("x");
	check_console("PASS: apic: x\n", "report_prefix_pop drops the last");
	report_prefix_pop();
	report_pass("y");
	check_console("PASS: y\n", "no prefixes: no separator");

	report_prefix_pushf("cpu%d", 3);
	ret = report_xfail(true, false, "known %s", "bug");
	check_console("XFAIL: cpu3: known bug\n", "report_xfail XFAIL line");
	ok(!ret, "report_xfail returns cond (false)");
	ok_num(report_summary(), 0, "XFAIL is not a failure");
	console_clear();
	report_xfail(false, true, "n");
	check_console("PASS: cpu3: n\n", "report_xfail without xfail is report");

	for (i = 0; i < 20; i++)
		report_prefix_push("deep");
	for (i = 0; i < 20; i++)
		report_prefix_pop();
	report_pass("after deep");
	check_console("PASS: cpu3: after deep\n",
		      "20 pushes and pops (past the depth limit) pair up");

	for (i = 0; i < sizeof(long_prefix) - 1; i++)
		long_prefix[i] = 'p';
	long_prefix[i] = '\0';
	report_prefix_push(long_prefix);
	report_info("m");
	ok(console_len < REPORT_PREFIX_MAX + 16 &&
	   console[console_len - 1] == '\n',
	   "an over-long prefix is cut, the line still ends");
	console_clear();
	report_prefix_pop();
	report_info("back");
	check_console("INFO: cpu3: back\n", "pop after an over-long prefix");

	for (i = 0; i < sizeof(long_msg) - 1; i++)
		long_msg[i] = 'm';
	long_msg[i] = '\0';
	report_info("%s", long_msg);
	ok(console_len < 1024 && console[console_len - 1] == '\n' &&
	   console_calls == 1,
	   "an over-long message is cut, still one line, one write");
	console_clear();

	report_xfail(true, true, "xp");
	check_console("XPASS: cpu3: xp\n", "report_xfail XPASS line");
	ok_num(report_summary(), 1, "report_summary: XPASS -> 1");
	console_clear();

	ret = report(false, "f (got %#x, want %#x)", 1, 2);
	check_console("FAIL: cpu3: f (got 0x1, want 0x2)\n", "report FAIL line");
	ok(!ret, "report returns cond (false)");
	report_fail("g");
	check_console("FAIL: cpu3: g\n", "report_fail line");
	status = report_summary();
	/* skip 1; pass self IPI, x, y, n, after deep; xfail 1; xpass 1; fail 2 */
	check_console("SUMMARY: 10 tests, 3 unexpected failures, 1 expected failures, 1 skipped\n",
		      "report_summary counts every kind");
	ok_num(status, 1, "report_summary: FAIL -> 1");
	report_prefix_pop();
}

/* ---- argv.c ---- */

static void test_argv(void)
{
	static char many[400], huge[ARGV_BUF_SIZE + 2000];
	size_t i;

	setup_args("/path/k.flat \"a b\" c");
	ok(__argc == 3 && same(__argv[0], "/path/k.flat") &&
	   same(__argv[1], "a b") && same(__argv[2], "c") && !__argv[3],
	   "setup_args splits on blanks, quotes group");

	setup_args(NULL);
	ok(__argc == 0 && !__argv[0], "setup_args(NULL)");
	setup_args("  \t ");
	ok(__argc == 0, "setup_args of blanks only");
	setup_args("  x\t\ty  ");
	ok(__argc == 2 && same(__argv[0], "x") && same(__argv[1], "y"),
	   "setup_args: leading, trailing and repeated blanks, tabs");
	setup_args("x \"\" y");
	ok(__argc == 3 && same(__argv[1], ""), "an empty quoted word is a word");
	setup_args("a\"b c\"d e");
	ok(__argc == 2 && same(__argv[0], "ab cd") && same(__argv[1], "e"),
	   "quotes inside a word");

	for (i = 0; i < 70; i++) {
		many[2 * i] = 'a' + i % 26;
		many[2 * i + 1] = ' ';
	}
	many[2 * i] = '\0';
	console_clear();
	setup_args(many);
	ok(__argc == ARGV_MAX && !__argv[ARGV_MAX] &&
	   same(__argv[ARGV_MAX - 1], "l"),
	   "setup_args keeps ARGV_MAX words");
	ok_str(console, "INFO: argv: 6 words dropped (max 64, 4096 bytes)\n",
	       "and says how many it dropped");
	console_clear();

	for (i = 0; i < sizeof(huge) - 1; i++)
		huge[i] = i % 1000 == 999 ? ' ' : 'w';
	huge[i] = '\0';
	setup_args(huge);
	ok(__argc == 5 && length(__argv[0]) == 999 &&
	   length(__argv[4]) < 999 && !__argv[5],
	   "a command line longer than ARGV_BUF_SIZE is cut, not overrun");
	console_clear();
}

/* ---- bitops.h, spinlock.h, libcflat.h macros ---- */

static void test_macros(void)
{
	unsigned long bits[2] = { 0, 0 };
	struct spinlock lock = { 0 };

	ok(GENMASK(7, 4) == 0xf0 && GENMASK(63, 63) == 1UL << 63 &&
	   GENMASK_ULL(63, 0) == ~0ULL, "GENMASK");
	ok(BIT(3) == 8 && BIT_ULL(40) == 1ULL << 40, "BIT");
	set_bit(70, bits);
	ok(test_bit(70, bits) && bits[1] == 1UL << 6 && !test_bit(69, bits),
	   "set_bit/test_bit across words");
	ok(test_and_set_bit(70, bits) && !test_and_set_bit(3, bits),
	   "test_and_set_bit");
	clear_bit(70, bits);
	ok(!test_bit(70, bits), "clear_bit");
	ok(ffs_nz(0x50) == 4 && fls_nz(0x50) == 6, "ffs_nz/fls_nz");
	ok(ALIGN_UP(0x1001UL, 0x1000) == 0x2000 &&
	   ALIGN_UP(0x1000UL, 0x1000) == 0x1000 &&
	   ALIGN_DOWN(0x1fffUL, 0x1000) == 0x1000 &&
	   IS_ALIGNED(0x3000UL, 0x1000) && !IS_ALIGNED(0x3004UL, 8),
	   "ALIGN_UP/ALIGN_DOWN/IS_ALIGNED");
	ok(spin_trylock(&lock) && !spin_trylock(&lock), "spin_trylock");
	spin_unlock(&lock);
	spin_lock(&lock);
	ok(lock.v == 1, "spin_lock after spin_unlock");
	spin_unlock(&lock);
}

/* ---- migrate.c ---- */

static void test_migrate(void)
{
	/* a stale byte, drained; then idle polls and the go-on byte */
	static const int script[] = { 'x', -1, -1, -1, -1, '\n' };

	console_clear();
	migrate_skip(NULL);
	check_console("MIGRATE: SKIP no reason given\n",
		      "migrate_skip without a reason still gives one");
	console_clear();
	ok_num(migrate_count(), 0, "no migration counted before migrate()");
	input_script = script;
	input_len = ARRAY_SIZE(script);
	input_calls = 0;
	migrate_once();
	ok_num(migrate_count(), 1, "migrate_once() migrates the first time");
	check_console("MIGRATE: NOW\n", "migrate() prints the protocol line once");
	ok_num(input_calls, 6, "migrate() drains stale input, then polls until the byte");
	console_clear();
	input_calls = 0;
	migrate_once();
	ok_num(migrate_count(), 1, "a second migrate_once() does not migrate");
	ok_num(input_calls + console_len, 0, "... and neither reads nor prints");
	input_script = NULL;
}

/* ---- exit.c, assert ---- */

static void test_exit_and_assert(void)
{
	volatile int status;
	void *p;

	console_clear();
	status = setjmp(exit_jmp);
	if (!status)
		exit(5);
	ok_num(status - 1, 5, "exit(5) reaches arch_exit(5)");
	check_console("EXIT: STATUS=5\n", "exit prints the EXIT line");

	/* Last: abort() can only be taken once per process. */
	report_prefix_push("alloc");
	p = malloc(32);
	free(p);
	status = setjmp(exit_jmp);
	if (!status)
		free(p);
	ok_num(status - 1, 1, "double free asserts and exits with status 1");
	ok(length(console) > 40 &&
	   same(console + length(console) - length("ABORT: test aborted\nEXIT: STATUS=1\n"),
		"ABORT: test aborted\nEXIT: STATUS=1\n") &&
	   strstr(console, "FAIL: alloc: assert failed: ") == console &&
	   strstr(console, "double free?"),
	   "the assertion prints a FAIL line with the prefix, ABORT, EXIT");
	if (nfailed)
		diag_str("console", console);
	console_clear();

	status = setjmp(exit_jmp);
	if (!status)
		abort();
	ok(status - 1 == 1 && console_len == 0,
	   "a second abort exits at once, printing nothing");
}

int main(void)
{
	test_printf_conversions();
	test_printf_flags_width_precision();
	test_printf_sizes();
	test_snprintf_truncation();
	test_console_output();
	test_strings();
	test_strtol();
	test_alloc_basics();
	test_memalign();
	test_alloc_stress();
	test_report();
	test_argv();
	test_macros();
	test_migrate();
	test_exit_and_assert();

	out("1..");
	out_uint(ntests);
	out("\n");
	return nfailed ? 1 : 0;
}
