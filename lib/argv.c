// SPDX-License-Identifier: GPL-2.0-only
/* Splitting the boot command line into main()'s argc and argv. */
#include "libcflat.h"

int __argc;
char *__argv[ARGV_MAX + 1];

/* The words, NUL-separated; __argv points into it. */
static char args_buf[ARGV_BUF_SIZE];

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void setup_args(const char *cmdline)
{
	const char *p = cmdline ? cmdline : "";
	char *out = args_buf, *buf_end = args_buf + sizeof(args_buf) - 1;
	unsigned int dropped = 0;

	__argc = 0;
	for (;;) {
		bool quoted = false;
		char *word = out;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;

		for (; *p && (quoted || !is_blank(*p)); p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (out < buf_end)
				*out++ = *p;
		}
		/* buf_end keeps a byte for the last word's NUL. */
		if (out <= buf_end)
			*out++ = '\0';

		if (__argc < ARGV_MAX && word < buf_end)
			__argv[__argc++] = word;
		else
			dropped++;
	}
	__argv[__argc] = NULL;

	if (dropped)
		report_info("argv: %u words dropped (max %d, %zu bytes)",
			    dropped, ARGV_MAX, sizeof(args_buf));
}
