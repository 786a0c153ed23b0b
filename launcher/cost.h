/* What a test costs, and what the launcher does with it: the order tests
 * start in (longest first, so the tail of a -j run is short), the CPU slots
 * a test takes from the -j budget, and the --shard split of a selection.
 * kvm-unit-tests(1), "SCHEDULING AND SHARDS". */
#ifndef KUT_COST_H
#define KUT_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "run.h"
#include "select.h"

/* The file in the log folder that keeps each test's last wall time. */
#define COST_DURATIONS_FILE ".durations"
#define COST_MAX_DURATIONS_SIZE (1u << 20)

/* The cost of @t from the catalog alone: its timeout, or the default one.
 * The same on every host, so that every shard computes the same split. */
double cost_hint(const struct cfg_test *t);

/* Wall times of earlier runs, by test name. */
struct durations {
	char **names;
	double *secs;
	size_t n;
};

/* Reads DIR/.durations; a missing or unreadable file is an empty list
 * (the costs fall back to the hints), a bad line is ignored. */
void durations_load(const char *dir, struct durations *d);
/* The recorded wall time of @name, or -1. */
double durations_get(const struct durations *d, const char *name);
/* Records @secs for @name, replacing an older value. */
void durations_set(struct durations *d, const char *name, double secs);
/* Writes DIR/.durations through a temporary file and rename(2), so that a
 * concurrent run reads the old or the new file, never half of one.
 * Returns 0, or -1 with errno set. */
int durations_save(const char *dir, const struct durations *d);
void durations_free(struct durations *d);

/* The order to start @n tests in: by @cost descending, equal costs in
 * catalog order (their index). Fills @order with indices 0..n-1. */
void cost_start_order(const double *cost, size_t n, size_t *order);

/* The CPU slots a test with @smp vCPUs takes from a budget of @jobs: one
 * per vCPU, at least 1, at most the whole budget (so it can run at all). */
unsigned cost_slots(unsigned smp, unsigned jobs);

/*
 * "K/N" with 1 <= K <= N <= COST_MAX_SHARDS. Returns 0, or -1 with @err
 * saying what is wrong.
 */
#define COST_MAX_SHARDS 1024
int shard_parse(const char *s, unsigned *k, unsigned *n, char *err,
		size_t errlen);

/*
 * Splits @tests (@ntests of them) into @nshards parts balanced by
 * cost_hint(): longest first (equal costs by name), each to the part with
 * the least cost so far (equal loads: the lowest-numbered part). Sets
 * @keep[i] when tests[i] belongs to part @k (1-based). Depends only on the
 * names and hints, so every shard computes the same split.
 */
void shard_pick(const struct cfg_test *const *tests, size_t ntests,
		unsigned k, unsigned nshards, bool *keep);

/* Keeps in @sel only the tests of part @k of @nshards (shard_pick()). */
void shard_select(struct selection *sel, unsigned k, unsigned nshards);

/* The start order of @items (a new array of @n indices): by the wall time
 * @d recorded for each, or its cost_hint() when none is recorded. */
size_t *cost_run_order(const struct run_item *items, size_t n,
		       const struct durations *d);
/* Records in @d the wall time of every item of @items that ran to its
 * end. */
void durations_record(struct durations *d, const struct run_item *items,
		      size_t n);

#endif
