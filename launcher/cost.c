#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cost.h"
#include "readfile.h"
#include "xalloc.h"

/* A duration above this in .durations is a damaged line, not a test. */
#define COST_MAX_SECS (7 * 24 * 3600.0)

double cost_hint(const struct cfg_test *t)
{
	return t->timeout > 0 ? t->timeout : CFG_DEFAULT_TIMEOUT;
}

static bool name_ok(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			return false;
	return true;
}

/* One line: "NAME SECONDS". */
static void parse_line(struct durations *d, char *line)
{
	char *sp = strchr(line, ' '), *end;
	double secs;

	if (!sp || !name_ok(line, (size_t)(sp - line)))
		return;
	*sp = '\0';
	errno = 0;
	secs = strtod(sp + 1, &end);
	if (errno || end == sp + 1 || *end || !isfinite(secs) || secs < 0 ||
	    secs > COST_MAX_SECS)
		return;
	durations_set(d, line, secs);
}

void durations_load(const char *dir, struct durations *d)
{
	char err[256], *path, *buf, *line, *save = NULL;
	size_t len;

	memset(d, 0, sizeof(*d));
	if (!dir)
		return;
	path = xasprintf("%s/%s", dir, COST_DURATIONS_FILE);
	if (read_file(path, COST_MAX_DURATIONS_SIZE, &buf, &len, err, sizeof(err)) < 0) {
		free(path);
		return;
	}
	free(path);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		parse_line(d, line);
	free(buf);
}

double durations_get(const struct durations *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->names[i], name))
			return d->secs[i];
	return -1;
}

void durations_set(struct durations *d, const char *name, double secs)
{
	for (size_t i = 0; i < d->n; i++) {
		if (!strcmp(d->names[i], name)) {
			d->secs[i] = secs;
			return;
		}
	}
	d->names = xreallocarray(d->names, d->n + 1, sizeof(*d->names));
	d->secs = xreallocarray(d->secs, d->n + 1, sizeof(*d->secs));
	d->names[d->n] = xstrdup(name);
	d->secs[d->n++] = secs;
}

int durations_save(const char *dir, const struct durations *d)
{
	char *path = xasprintf("%s/%s", dir, COST_DURATIONS_FILE);
	char *tmp = xasprintf("%s.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "we");
	int e, bad;

	if (!f)
		goto fail;
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s %.3f\n", d->names[i], d->secs[i]);
	bad = ferror(f);
	if (fclose(f) == EOF || bad) {
		e = errno ? errno : EIO;
		unlink(tmp);
		errno = e;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		goto fail;
	}
	free(tmp);
	free(path);
	return 0;
fail:
	e = errno;
	free(tmp);
	free(path);
	errno = e;
	return -1;
}

void durations_free(struct durations *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->names[i]);
	free(d->names);
	free(d->secs);
	memset(d, 0, sizeof(*d));
}

/* An insertion sort: catalogs hold tens to hundreds of tests, and it is
 * stable without a comparison context qsort(3) cannot pass. */
void cost_start_order(const double *cost, size_t n, size_t *order)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && cost[order[j - 1]] < cost[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
}

unsigned cost_slots(unsigned smp, unsigned jobs)
{
	if (smp < 1)
		smp = 1;
	return smp < jobs ? smp : jobs;
}

int shard_parse(const char *s, unsigned *k, unsigned *n, char *err,
		size_t errlen)
{
	unsigned long kk, nn;
	char *end;

	if (*s < '0' || *s > '9')
		goto bad;
	errno = 0;
	kk = strtoul(s, &end, 10);
	if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
		goto bad;
	nn = strtoul(end + 1, &end, 10);
	if (errno || *end)
		goto bad;
	if (nn < 1 || nn > COST_MAX_SHARDS) {
		snprintf(err, errlen, "'%s': N must be from 1 to %d", s, COST_MAX_SHARDS);
		return -1;
	}
	if (kk < 1 || kk > nn) {
		snprintf(err, errlen, "'%s': K must be from 1 to N (%lu)", s, nn);
		return -1;
	}
	*k = (unsigned)kk;
	*n = (unsigned)nn;
	return 0;
bad:
	snprintf(err, errlen, "'%s': want K/N, e.g. 2/4", s);
	return -1;
}

/* Longest first; equal hints by name, which is unique in a catalog. */
static bool goes_before(const struct cfg_test *a, const struct cfg_test *b)
{
	double ca = cost_hint(a), cb = cost_hint(b);

	if (ca != cb)
		return ca > cb;
	return strcmp(a->name, b->name) < 0;
}

void shard_pick(const struct cfg_test *const *tests, size_t ntests,
		unsigned k, unsigned nshards, bool *keep)
{
	size_t *order = xcalloc(ntests ? ntests : 1, sizeof(*order));
	double *load = xcalloc(nshards, sizeof(*load));

	for (size_t i = 0; i < ntests; i++) {
		size_t j = i;

		while (j > 0 && goes_before(tests[i], tests[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (size_t i = 0; i < ntests; i++) {
		unsigned least = 0;

		for (unsigned s = 1; s < nshards; s++)
			if (load[s] < load[least])
				least = s;
		load[least] += cost_hint(tests[order[i]]);
		keep[order[i]] = least == k - 1;
	}
	free(load);
	free(order);
}

void shard_select(struct selection *sel, unsigned k, unsigned nshards)
{
	bool *keep = xcalloc(sel->n ? sel->n : 1, sizeof(*keep));
	size_t m = 0;

	shard_pick(sel->tests, sel->n, k, nshards, keep);
	for (size_t i = 0; i < sel->n; i++)
		if (keep[i])
			sel->tests[m++] = sel->tests[i];
	sel->n = m;
	free(keep);
}

size_t *cost_run_order(const struct run_item *items, size_t n,
		       const struct durations *d)
{
	size_t *order = xcalloc(n ? n : 1, sizeof(*order));
	double *cost = xcalloc(n ? n : 1, sizeof(*cost));

	for (size_t i = 0; i < n; i++) {
		double secs = durations_get(d, items[i].test->name);

		cost[i] = secs >= 0 ? secs : cost_hint(items[i].test);
	}
	cost_start_order(cost, n, order);
	free(cost);
	return order;
}

void durations_record(struct durations *d, const struct run_item *items,
		      size_t n)
{
	for (size_t i = 0; i < n; i++)
		/* a test cut short by an interrupt took an unknown time */
		if (items[i].res.ran && !items[i].skip && items[i].res.secs > 0 &&
		    items[i].res.end.kind != END_INTERRUPTED)
			durations_set(d, items[i].test->name, items[i].res.secs);
}
