/* Just enough JSON (RFC 8259) to read QMP's replies: find a member by its
 * dotted path and read it as a string. No tree is built. */
#ifndef KUT_JSON_H
#define KUT_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type {
	JSON_NONE,	/* not found, or the text is not valid JSON there */
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_BOOL,
	JSON_NULL,
};

/*
 * Finds the member at @path ("return.status", "error.desc"; "" is the
 * whole text) in the object @text. Returns its type and, through @val and
 * @len, where its text starts and how long it is; JSON_NONE when missing.
 */
enum json_type json_find(const char *text, const char *path,
			 const char **val, size_t *len);

/* The string member at @path, unescaped into @out (cut to @outlen - 1
 * bytes; \u escapes outside ASCII become '?'). False when not a string. */
bool json_get_string(const char *text, const char *path, char *out,
		     size_t outlen);

/* Writes @s as a JSON string (quotes included) into @out; false if cut. */
bool json_quote(const char *s, char *out, size_t outlen);

#endif
