/*
 * RTAS time of day (PAPR, RTAS time of day): get-time-of-day returns a valid calendar
 * date and time that moves forward; with -rtc base=DATE it starts at
 * DATE; set-time-of-day sets what get-time-of-day then returns.
 *
 * test_args: get-time-of-day | get-time-of-day base=YYYY-MM-DDTHH:MM:SS |
 * set-time-of-day
 */
#include "libcflat.h"
#include "powerpc/processor.h"
#include "powerpc/rtas.h"

/* Slack for the seconds between QEMU starting its clock and our read. */
#define START_SLACK_S	30

struct tod {
	int year, month, day, hour, min, sec, ns;
};

static int get_tod(struct tod *t)
{
	int out[7];
	int status = rtas_call_named("get-time-of-day", 0, 8, out);

	t->year = out[0];
	t->month = out[1];
	t->day = out[2];
	t->hour = out[3];
	t->min = out[4];
	t->sec = out[5];
	t->ns = out[6];
	return status;
}

/* Days from 1970-01-01 to @y-@m-@d (proleptic Gregorian). */
static s64 days_from_civil(s64 y, int m, int d)
{
	s64 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static s64 tod_seconds(const struct tod *t)
{
	return days_from_civil(t->year, t->month, t->day) * 86400 +
	       t->hour * 3600 + t->min * 60 + t->sec;
}

static bool tod_valid(const struct tod *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };

	return t->year >= 1970 && t->month >= 1 && t->month <= 12 &&
	       t->day >= 1 && t->day <= mdays[t->month - 1] &&
	       t->hour >= 0 && t->hour < 24 && t->min >= 0 && t->min < 60 &&
	       t->sec >= 0 && t->sec < 60;
}

/* PAPR, RTAS get-time-of-day outputs: nanoseconds 0..999,999,999. */
static void check_ns(const struct tod *t)
{
	report(t->ns >= 0 && t->ns < 1000000000,
	       "nanoseconds output in 0..999999999 (got %d)", t->ns);
}

#define TOD_FMT "%04d-%02d-%02dT%02d:%02d:%02d.%09d"
#define TOD_ARGS(t) (t).year, (t).month, (t).day, (t).hour, (t).min, \
	(t).sec, (t).ns

static void test_get(void)
{
	struct tod a, b;
	int s1, s2;
	s64 d;

	if (rtas_token("get-time-of-day") < 0) {
		report_skip("no get-time-of-day token in /rtas");
		return;
	}
	s1 = get_tod(&a);
	udelay(20000);
	s2 = get_tod(&b);
	report(s1 == RTAS_SUCCESS && s2 == RTAS_SUCCESS,
	       "status (got %d and %d, want 0)", s1, s2);
	report(tod_valid(&a), "a valid date and time: " TOD_FMT, TOD_ARGS(a));
	check_ns(&a);
	d = tod_seconds(&b) - tod_seconds(&a);
	report(d >= 0 && d <= 5, "20 ms later: %lld s later (want 0..5): "
	       TOD_FMT, (long long)d, TOD_ARGS(b));
}

/* "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD" */
static bool parse_date(const char *s, struct tod *t)
{
	char *end;

	memset(t, 0, sizeof(*t));
	t->year = strtol(s, &end, 10);
	if (*end != '-')
		return false;
	t->month = strtol(end + 1, &end, 10);
	if (*end != '-')
		return false;
	t->day = strtol(end + 1, &end, 10);
	if (*end == 'T') {
		t->hour = strtol(end + 1, &end, 10);
		if (*end != ':')
			return false;
		t->min = strtol(end + 1, &end, 10);
		if (*end != ':')
			return false;
		t->sec = strtol(end + 1, &end, 10);
	}
	return *end == 0 && tod_valid(t);
}

static void test_base(const char *arg)
{
	struct tod want, got;
	int status;
	s64 d;

	if (!parse_date(arg, &want)) {
		report_fail("base=%s: not YYYY-MM-DD[THH:MM:SS]", arg);
		return;
	}
	status = get_tod(&got);
	d = tod_seconds(&got) - tod_seconds(&want);
	report(status == RTAS_SUCCESS && d >= 0 && d <= START_SLACK_S,
	       "-rtc base=%s: got " TOD_FMT " (%lld s later, want 0..%d), "
	       "status %d", arg, TOD_ARGS(got), (long long)d, START_SLACK_S,
	       status);
	check_ns(&got);
}

static void test_set(void)
{
	/* a leap day: the calendar arithmetic must know it */
	const struct tod set = { 2024, 2, 29, 23, 59, 59, 0 };
	struct tod got;
	int status;
	s64 d;

	if (rtas_token("set-time-of-day") < 0) {
		report_skip("no set-time-of-day token in /rtas");
		return;
	}
	status = rtas_call_named("set-time-of-day", 7, 1, NULL, set.year,
				 set.month, set.day, set.hour, set.min,
				 set.sec, set.ns);
	report(status == RTAS_SUCCESS, "set " TOD_FMT " (status %d, want 0)",
	       TOD_ARGS(set), status);
	status = get_tod(&got);
	d = tod_seconds(&got) - tod_seconds(&set);
	report(status == RTAS_SUCCESS && d >= 0 && d <= 5,
	       "read back: " TOD_FMT " (%lld s after the set, want 0..5)",
	       TOD_ARGS(got), (long long)d);
	check_ns(&got);
	udelay(1200000);
	status = get_tod(&got);
	d = tod_seconds(&got) - tod_seconds(&set);
	report(d >= 1 && d <= 10 && got.year == 2024 && got.month == 3 &&
	       got.day == 1, "1.2 s later the clock ran on into March 1st: "
	       TOD_FMT " (%lld s after the set, want 1..10)", TOD_ARGS(got),
	       (long long)d);
}

int main(int argc, char **argv)
{
	report_prefix_push("rtas");
	if (argc < 2) {
		report_fail("test_args: get-time-of-day or set-time-of-day");
	} else if (!strcmp(argv[1], "get-time-of-day")) {
		report_prefix_push(argv[1]);
		if (argc > 2 && !strncmp(argv[2], "base=", 5))
			test_base(argv[2] + 5);
		else
			test_get();
	} else if (!strcmp(argv[1], "set-time-of-day")) {
		report_prefix_push(argv[1]);
		test_set();
	} else {
		report_fail("unknown test_args word '%s'", argv[1]);
	}
	return report_summary();
}
