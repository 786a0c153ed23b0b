/* Splitting a cfg value into words the way sh(1) would, without ever running
 * a shell: blanks separate words, '...' is literal, "..." allows \" \\ \$ \`,
 * a backslash outside quotes escapes the next character. */
#ifndef KUT_SHELLWORDS_H
#define KUT_SHELLWORDS_H

#include <stddef.h>

#include "strv.h"

/*
 * Appends the words of @s to @out. Returns 0, or -1 with @err set when a
 * quote is left open. When @s asks the shell for an expansion the launcher
 * does not perform ($VAR, ${...}, $(...), `...`), *@expansion (if not NULL
 * and still NULL) receives a copy of that construct; the text is then kept
 * literally in the word.
 */
int shellwords_split(const char *s, struct strv *out, char **expansion,
		     char *err, size_t errlen);

/* @s quoted for sh(1) when it needs to be, for display only (-n, logs). */
char *shellwords_quote(const char *s);

#endif
