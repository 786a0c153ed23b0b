#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "xalloc.h"

/* Set by the build (launcher.mk); these defaults serve a hand build only. */
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/kvm-unit-tests"
#endif
#ifndef DOCDIR
#define DOCDIR "/usr/local/share/doc/kvm-unit-tests"
#endif
#ifndef BINDIR
#define BINDIR "/usr/local/bin"
#endif
#ifndef KUT_SRCDIR
#define KUT_SRCDIR "."
#endif
#ifndef KUT_GUEST_ARCHES
#define KUT_GUEST_ARCHES "x86_64 i386"	/* a hand build: the arches with code */
#endif

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *paths_exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(*buf ? buf : "/");
}

bool paths_in_build_tree(const char *exe_dir)
{
	char *p;
	bool r;

	if (!exe_dir)
		return false;
	p = xasprintf("%s/config.status", exe_dir);
	r = is_file(p);
	free(p);
	return r;
}

/* When the binary sits at <stage>BINDIR, as in a DESTDIR install, <stage>. */
static char *staging_prefix(const char *exe_dir)
{
	size_t le = strlen(exe_dir), lb = strlen(BINDIR);

	if (le <= lb || strcmp(exe_dir + le - lb, BINDIR))
		return NULL;
	return xstrndup(exe_dir, le - lb);
}

static char *try_dir(struct strv *tried, char *cand)
{
	char *abs;

	strv_push(tried, cand);
	if (!is_dir(cand)) {
		free(cand);
		return NULL;
	}
	/* absolute, so that logs and -n output name the image exactly */
	abs = realpath(cand, NULL);
	if (!abs)
		return cand;
	free(cand);
	return abs;
}

char *paths_images(const char *opt, enum arch arch, const char *exe_dir,
		   struct strv *tried)
{
	const char *a = arch_name(arch);
	const char *given = opt ? opt : getenv("KUT_IMAGES");
	char *d, *stage;

	if (given && *given) {
		/* An explicit folder is the only one tried: silently using
		 * other images would test something else than asked. */
		if ((d = try_dir(tried, xasprintf("%s/%s", given, a))))
			return d;
		return try_dir(tried, xstrdup(given));
	}
	if (exe_dir) {
		if ((d = try_dir(tried, xasprintf("%s/images/%s", exe_dir, a))))
			return d;
		if ((d = try_dir(tried, xasprintf("%s/../share/kvm-unit-tests/%s",
						  exe_dir, a))))
			return d;
		stage = staging_prefix(exe_dir);
		if (stage) {
			d = try_dir(tried, xasprintf("%s%s/%s", stage, PKGDATADIR, a));
			free(stage);
			if (d)
				return d;
		}
	}
	return try_dir(tried, xasprintf("%s/%s", PKGDATADIR, a));
}

bool paths_arch_built(enum arch arch)
{
	const char *name = arch_name(arch), *s = KUT_GUEST_ARCHES;
	size_t len = strlen(name);

	while (*s) {
		size_t w;

		s += strspn(s, " ");
		w = strcspn(s, " ");
		if (w == len && !strncmp(s, name, len))
			return true;
		s += w;
	}
	return false;
}

char *paths_known_failures(const char *exe_dir)
{
	char *p, *stage;

	if (paths_in_build_tree(exe_dir)) {
		p = xasprintf("%s/docs/known-failures.md", KUT_SRCDIR);
		if (is_file(p))
			return p;
		free(p);
	}
	if (exe_dir && (stage = staging_prefix(exe_dir))) {
		p = xasprintf("%s%s/known-failures.md", stage, DOCDIR);
		free(stage);
		if (is_file(p))
			return p;
		free(p);
	}
	p = xstrdup(DOCDIR "/known-failures.md");
	if (is_file(p))
		return p;
	free(p);
	/* The copy beside the images, for installs without documentation
	 * (rpm --excludedocs, dpkg path-exclude=/usr/share/doc/...). */
	if (exe_dir && (stage = staging_prefix(exe_dir))) {
		p = xasprintf("%s%s/known-failures.md", stage, PKGDATADIR);
		free(stage);
		if (is_file(p))
			return p;
		free(p);
	}
	p = xstrdup(PKGDATADIR "/known-failures.md");
	if (is_file(p))
		return p;
	free(p);
	return NULL;
}

char *paths_default_log_dir(const char *exe_dir, const char **why)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	*why = NULL;
	/* beside the build tree, not in whatever folder it is run from */
	if (paths_in_build_tree(exe_dir))
		return xasprintf("%s/logs", exe_dir);
	/* XDG Base Directory spec: a relative XDG_STATE_HOME is invalid */
	if (state && *state == '/')
		return xasprintf("%s/kvm-unit-tests", state);
	if (home && *home)
		return xasprintf("%s/.local/state/kvm-unit-tests", home);
	*why = state && *state ? "XDG_STATE_HOME is not absolute and HOME is not set"
			       : "neither XDG_STATE_HOME nor HOME is set";
	return NULL;
}
