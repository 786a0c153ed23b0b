#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "shellwords.h"
#include "xalloc.h"

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int log_prepare_dir(const char *dir, char *err, size_t errlen)
{
	char *copy = xstrdup(dir);
	struct stat st;
	int r = mkdir_p(copy);

	free(copy);
	if (r == 0 && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		errno = ENOTDIR, r = -1;
	if (r == 0 && access(dir, W_OK | X_OK) < 0)
		r = -1;
	if (r < 0)
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
	return r;
}

FILE *log_open(const char *dir, const char *test, char **path)
{
	FILE *f;

	*path = xasprintf("%s/%s.log", dir, test);
	f = fopen(*path, "we");
	if (!f) {
		free(*path);
		*path = NULL;
	}
	return f;
}

void log_header(FILE *f, const char *test, const struct strv *argv,
		const char *accel, double timeout)
{
	fprintf(f, "# kvm-unit-tests: %s\n# accel: %s, timeout: %gs\n# argv:", test,
		accel, timeout);
	for (size_t i = 0; i < argv->n; i++) {
		char *q = shellwords_quote(argv->v[i]);

		fprintf(f, " %s", q);
		free(q);
	}
	fputc('\n', f);
}

void log_line(FILE *f, int stream, const char *line)
{
	fprintf(f, "%s%s\n", stream == 2 ? "[stderr] " : "", line);
}

void log_footer(FILE *f, const struct test_result *r)
{
	static const char *const names[] = {
		[VERDICT_PASS] = "PASS", [VERDICT_FAIL] = "FAIL",
		[VERDICT_SKIP] = "SKIP", [VERDICT_KNOWN] = "KNOWN FAILURE",
		[VERDICT_FIXED] = "PASS (known failure did not happen)",
	};
	const struct verdict *v = &r->verdict;

	fprintf(f, "# verdict: %s", names[v->kind]);
	if (v->reason)
		fprintf(f, ": %s", v->reason);
	fputc('\n', f);
	if (v->note)
		fprintf(f, "# note: %s\n", v->note);
	if (v->have_status)
		fprintf(f, "# status: %d\n", v->status);
	if (r->ran)
		fprintf(f, "# duration: %.2fs\n", r->secs);
}
