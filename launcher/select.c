#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"
#include "xalloc.h"

#define SUGGEST_MAX 3

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row, d;

	row = xcalloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best;

			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

size_t select_suggest(const char *word, char *const *candidates, size_t n,
		      char *buf, size_t buflen, size_t max)
{
	size_t len = strlen(word), limit = len / 3 > 2 ? len / 3 : 2;
	size_t found = 0, *dist;

	if (buflen)
		buf[0] = '\0';
	dist = xcalloc(n, sizeof(*dist));
	for (size_t i = 0; i < n; i++)
		dist[i] = edit_distance(word, candidates[i]);
	for (size_t d = 0; d <= limit && found < max; d++) {
		for (size_t i = 0; i < n && found < max; i++) {
			size_t used = strlen(buf);

			if (dist[i] != d)
				continue;
			/* the same group name appears once per test that has it */
			for (size_t k = 0; k < i; k++)
				if (!strcmp(candidates[k], candidates[i]))
					goto next;
			snprintf(buf + used, buflen - used, "%s%s",
				 found ? ", " : "", candidates[i]);
			found++;
next:;
		}
	}
	free(dist);
	return found;
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void unknown(const char *what, const char *word, char *const *cands,
		    size_t n, char *err, size_t errlen)
{
	char near[256];

	if (select_suggest(word, cands, n, near, sizeof(near), SUGGEST_MAX))
		snprintf(err, errlen, "unknown %s '%s'; did you mean: %s", what,
			 word, near);
	else
		snprintf(err, errlen, "unknown %s '%s' (see --list)", what, word);
}

int select_tests(const struct cfg *cfg, const struct strv *patterns,
		 const struct strv *groups, bool all, struct selection *out,
		 char *err, size_t errlen)
{
	bool *chosen = xcalloc(cfg->ntests, sizeof(*chosen));
	struct strv names = { 0 }, allgroups = { 0 };
	int r = -1;

	out->tests = NULL;
	out->n = 0;
	for (size_t i = 0; i < cfg->ntests; i++) {
		strv_push(&names, cfg->tests[i].name);
		for (size_t g = 0; g < cfg->tests[i].groups.n; g++)
			strv_push(&allgroups, cfg->tests[i].groups.v[g]);
	}
	for (size_t p = 0; p < patterns->n; p++) {
		const char *pat = patterns->v[p];
		bool hit = false;

		for (size_t i = 0; i < cfg->ntests; i++) {
			if (is_glob(pat) ? !fnmatch(pat, cfg->tests[i].name, 0)
					 : !strcmp(pat, cfg->tests[i].name)) {
				chosen[i] = true;
				hit = true;
			}
		}
		if (hit)
			continue;
		if (is_glob(pat))
			snprintf(err, errlen, "no test matches '%s' (see --list)", pat);
		else
			unknown("test", pat, names.v, names.n, err, errlen);
		goto out;
	}
	for (size_t g = 0; g < groups->n; g++) {
		bool hit = false;

		for (size_t i = 0; i < cfg->ntests; i++) {
			if (cfg_test_in_group(&cfg->tests[i], groups->v[g])) {
				chosen[i] = true;
				hit = true;
			}
		}
		if (!hit) {
			unknown("group", groups->v[g], allgroups.v, allgroups.n,
				err, errlen);
			goto out;
		}
	}
	if (!patterns->n && !groups->n)
		for (size_t i = 0; i < cfg->ntests; i++)
			chosen[i] = all || !cfg->tests[i].nodefault;

	out->tests = xcalloc(cfg->ntests, sizeof(*out->tests));
	for (size_t i = 0; i < cfg->ntests; i++)
		if (chosen[i])
			out->tests[out->n++] = &cfg->tests[i];
	r = 0;
out:
	free(chosen);
	strv_free(&names);
	strv_free(&allgroups);
	return r;
}

void selection_free(struct selection *sel)
{
	free(sel->tests);
	sel->tests = NULL;
	sel->n = 0;
}
