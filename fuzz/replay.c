/*
 * Runs a fuzz harness's LLVMFuzzerTestOneInput over files without libFuzzer,
 * so the ordinary build replays the seeds and every fixed crash input in
 * `make check` (fuzz/replay.sh).
 *
 * usage: replay-NAME DIR|FILE...   (a missing DIR counts as empty)
 * Prints each input before running it, so an abort names the culprit, then
 * "replayed N inputs"; exits 0, or 1 when an input could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "readfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_SIZE (8u << 20)

static unsigned replayed;

static int replay_file(const char *path)
{
	char err[512];
	char *buf;
	size_t len;
	uint8_t *copy;

	if (read_file(path, REPLAY_MAX_SIZE, &buf, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "replay: %s\n", err);
		return -1;
	}
	/* an exact-size copy, so a read past the input is caught as libFuzzer would */
	copy = malloc(len ? len : 1);
	if (!copy) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		free(buf);
		return -1;
	}
	memcpy(copy, buf, len);
	free(buf);
	printf("# %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	replayed++;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		char **more;

		if (de->d_name[0] == '.')
			continue;
		more = realloc(names, (n + 1) * sizeof(*names));
		if (!more || !(more[n] = malloc(strlen(dir) + strlen(de->d_name) + 2))) {
			free(more);
			closedir(d);
			return -1;
		}
		names = more;
		sprintf(names[n++], "%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (!stat(names[i], &st) && S_ISREG(st.st_mode) && replay_file(names[i]) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (!stat(argv[i], &st) && S_ISREG(st.st_mode)) {
			if (replay_file(argv[i]) < 0)
				rc = 1;
		} else if (replay_dir(argv[i]) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		}
	}
	printf("replayed %u inputs\n", replayed);
	return rc;
}
