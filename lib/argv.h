/* SPDX-License-Identifier: GPL-2.0-only */
/* The command line that reaches main(argc, argv). */
#ifndef ARGV_H
#define ARGV_H

/* Words beyond this are dropped with an INFO line. */
#define ARGV_MAX	64
/* Longer command lines are cut here. */
#define ARGV_BUF_SIZE	4096

extern int __argc;
/* NULL-terminated: __argv[__argc] == NULL. */
extern char *__argv[ARGV_MAX + 1];

/*
 * Split @cmdline (may be NULL) on blanks into __argc/__argv.  Double quotes
 * group blanks into one word and are removed ("a b" c -> two words); there
 * are no escapes.  The words are copied, @cmdline may go away afterwards.
 * On x86 the multiboot command line is "<kernel path> <append>", so
 * argv[0] is the image path.
 */
void setup_args(const char *cmdline);

#endif /* ARGV_H */
