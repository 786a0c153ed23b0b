#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmod.h"
#include "readfile.h"
#include "xalloc.h"

/* x86 boot protocol (Documentation/arch/x86/boot.rst, "The real-mode
 * kernel header"): the setup header's magic and the kernel_version field,
 * an offset from 0x200 to a NUL-terminated string in the setup code. */
#define BOOT_HDR_MAGIC_OFF 0x202
#define BOOT_HDR_MAGIC "HdrS"
#define BOOT_VERSION_OFF 0x20e
#define BOOT_VERSION_BASE 0x200
#define BOOT_SETUP_MAX 0x8000	/* the setup code is at most 32 KiB */

#define MODULE_MAX (64u << 20)
#define MODULES_MAX 4096	/* modules seen under DIR */
#define WALK_DEPTH 8
#define RESOLVE_DEPTH 32

char *kmod_image_release(const char *image, char *err, size_t errlen)
{
	unsigned char buf[BOOT_SETUP_MAX];
	size_t n, off, end;
	FILE *f;

	f = fopen(image, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", image, strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < BOOT_VERSION_OFF + 2 ||
	    memcmp(buf + BOOT_HDR_MAGIC_OFF, BOOT_HDR_MAGIC, 4)) {
		snprintf(err, errlen, "%s: not an x86 bzImage (no \"HdrS\" at %#x)",
			 image, BOOT_HDR_MAGIC_OFF);
		return NULL;
	}
	off = buf[BOOT_VERSION_OFF] | (size_t)buf[BOOT_VERSION_OFF + 1] << 8;
	if (!off || off + BOOT_VERSION_BASE >= n) {
		snprintf(err, errlen, "%s: the image holds no kernel version string",
			 image);
		return NULL;
	}
	off += BOOT_VERSION_BASE;
	for (end = off; end < n && buf[end] > ' ' && buf[end] < 0x7f; end++)
		;
	if (end == off || end == n) {
		snprintf(err, errlen, "%s: unreadable kernel version string", image);
		return NULL;
	}
	return xstrndup((const char *)buf + off, end - off);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *kmod_default_dir(const char *image, const char *release,
		       struct strv *tried)
{
	const char *slash = strrchr(image, '/');
	char *idir = slash ? xstrndup(image, (size_t)(slash - image)) : xstrdup(".");
	char *cand[4];
	char *found = NULL;

	cand[0] = xasprintf("%s/../lib/modules/%s", idir, release);
	cand[1] = xasprintf("%s/../usr/lib/modules/%s", idir, release);
	cand[2] = xasprintf("/lib/modules/%s", release);
	cand[3] = xasprintf("/usr/lib/modules/%s", release);
	for (int i = 0; i < 4; i++) {
		if (!found && is_dir(cand[i]))
			found = xstrdup(cand[i]);
		if (tried)
			strv_push(tried, cand[i]);
		free(cand[i]);
	}
	free(idir);
	return found;
}

struct modfile {
	char *name;	/* '-' folded to '_' */
	char *path;
	int state;	/* 0 new, 1 being resolved, 2 pushed */
};

struct modset {
	struct modfile *v;
	size_t n, cap;
	char *builtin;	/* modules.builtin, or NULL */
};

/* "kernel/fs/9p/9p.ko.xz" -> "9p"; NULL when not a module file name. */
static char *module_name(const char *file)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	const char *dot = strstr(base, ".ko");
	char *name;

	if (!dot || (dot[3] && dot[3] != '.'))
		return NULL;
	name = xstrndup(base, (size_t)(dot - base));
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

static void walk(struct modset *ms, const char *dir, int depth)
{
	struct dirent *de;
	DIR *d;

	if (depth > WALK_DEPTH || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)) && ms->n < MODULES_MAX) {
		char *path, *name;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (is_dir(path)) {
			walk(ms, path, depth + 1);
		} else if ((name = module_name(de->d_name))) {
			if (ms->n == ms->cap) {
				ms->cap = ms->cap ? 2 * ms->cap : 64;
				ms->v = xreallocarray(ms->v, ms->cap, sizeof(*ms->v));
			}
			ms->v[ms->n++] = (struct modfile){ .name = name,
							   .path = path };
			continue;
		}
		free(path);
	}
	closedir(d);
}

static struct modfile *find(struct modset *ms, const char *name)
{
	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(ms->v[i].name, name))
			return &ms->v[i];
	return NULL;
}

static bool builtin(const struct modset *ms, const char *name)
{
	char *line, *copy, *save = NULL;
	bool found = false;

	if (!ms->builtin)
		return false;
	copy = xstrdup(ms->builtin);
	for (line = strtok_r(copy, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *n = module_name(line);

		found = n && !strcmp(n, name);
		free(n);
	}
	free(copy);
	return found;
}

/* The value of depends= in the ELF64 section .modinfo of @buf (a module:
 * little-endian x86_64 relocatable), "" when it has none; NULL when the
 * file is no ELF64. */
static const char *modinfo_depends(const char *buf, size_t len)
{
	const Elf64_Ehdr *eh = (const void *)buf;
	const Elf64_Shdr *sh, *strs;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
	    eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)(buf + eh->e_shoff);
	strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > len || strs->sh_size > len - strs->sh_offset)
		return NULL;
	for (size_t i = 0; i < eh->e_shnum; i++) {
		const char *p, *end;

		if (sh[i].sh_name >= strs->sh_size ||
		    strncmp(buf + strs->sh_offset + sh[i].sh_name, ".modinfo",
			    strs->sh_size - sh[i].sh_name) ||
		    sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)
			continue;
		p = buf + sh[i].sh_offset;
		end = p + sh[i].sh_size;
		/* NUL-separated key=value strings */
		while (p < end) {
			size_t l = strnlen(p, (size_t)(end - p));

			if (l >= 8 && !strncmp(p, "depends=", 8) && p + l < end)
				return p + 8;
			p += l + 1;
		}
		return "";
	}
	return "";
}

/* The decompressors of the module suffixes kernels use (CONFIG_MODULE_COMPRESS_*). */
static const struct {
	const char *suffix, *tool, *package;
} decompressors[] = {
	{ ".ko.xz", "xz", "xz-utils" },
	{ ".ko.zst", "zstd", "zstd" },
	{ ".ko.gz", "gzip", "gzip" },
};

static int decompressor(const char *path)
{
	size_t l = strlen(path);

	for (size_t i = 0; i < sizeof(decompressors) / sizeof(decompressors[0]); i++) {
		size_t sl = strlen(decompressors[i].suffix);

		if (l > sl && !strcmp(path + l - sl, decompressors[i].suffix))
			return (int)i;
	}
	return -1;
}

char *kmod_plain_name(const char *base)
{
	const char *dot = strstr(base, ".ko");

	if (!dot)
		return xstrdup(base);
	return xasprintf("%.*s.ko", (int)(dot - base), base);
}

/* `TOOL -dc -- PATH`'s stdout, read through a pipe (an argv, no shell). */
static int decompress(const char *path, int which, char **buf, size_t *len,
		      char *err, size_t errlen)
{
	const char *tool = decompressors[which].tool;
	size_t cap = 1u << 20, n = 0;
	int fd[2], wstatus = 0;
	char *b;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
		    dup2(fd[1], STDOUT_FILENO) < 0)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execlp(tool, tool, "-dc", "--", path, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	b = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= MODULE_MAX)
				break;
			cap *= 2;
			b = xreallocarray(b, cap, 1);
		}
		r = read(fd[0], b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd[0]);
	if (n == cap && cap >= MODULE_MAX)
		kill(pid, SIGKILL);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || n == cap) {
		if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
			snprintf(err, errlen, "%s: compressed module, and no %s to decompress it (install %s)",
				 path, tool, decompressors[which].package);
		else if (n == cap)
			snprintf(err, errlen, "%s: more than %u MiB decompressed", path,
				 MODULE_MAX >> 20);
		else
			snprintf(err, errlen, "%s: %s -dc failed (%s %d)", path, tool,
				 WIFEXITED(wstatus) ? "exit" : "signal",
				 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
		free(b);
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

int kmod_read(const char *path, char **buf, size_t *len, char *err,
	      size_t errlen)
{
	int which = decompressor(path);

	if (which < 0)
		return read_file(path, MODULE_MAX, buf, len, err, errlen);
	return decompress(path, which, buf, len, err, errlen);
}

static int resolve(struct modset *ms, const char *want, struct strv *files,
		   int depth, char *err, size_t errlen)
{
	char name[256], *buf, *deps, *save = NULL;
	const char *d;
	struct modfile *m;
	size_t len;
	int rc = 0;

	snprintf(name, sizeof(name), "%s", want);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	m = find(ms, name);
	if (!m) {
		if (builtin(ms, name))
			return 0;
		snprintf(err, errlen, "module %s: not found", name);
		return -1;
	}
	if (m->state == 2)
		return 0;
	if (m->state == 1 || depth > RESOLVE_DEPTH) {
		snprintf(err, errlen, "module %s: circular dependencies", name);
		return -1;
	}
	m->state = 1;
	if (kmod_read(m->path, &buf, &len, err, errlen) < 0)
		return -1;
	d = modinfo_depends(buf, len);
	if (!d) {
		snprintf(err, errlen, "%s: not an ELF64 module", m->path);
		free(buf);
		return -1;
	}
	deps = xstrdup(d);
	free(buf);
	for (char *dep = strtok_r(deps, ",", &save); dep && !rc;
	     dep = strtok_r(NULL, ",", &save))
		if (*dep)
			rc = resolve(ms, dep, files, depth + 1, err, errlen);
	free(deps);
	if (rc)
		return rc;
	m->state = 2;
	strv_push(files, m->path);
	return 0;
}

int kmod_resolve(const char *dir, const char *const *want, size_t nwant,
		 struct strv *files, char *err, size_t errlen)
{
	struct modset ms = { 0 };
	char *bpath, e2[64];
	size_t blen;
	int rc = 0;

	if (!is_dir(dir)) {
		snprintf(err, errlen, "%s: not a folder", dir);
		return -1;
	}
	walk(&ms, dir, 0);
	bpath = xasprintf("%s/modules.builtin", dir);
	if (read_file(bpath, MODULE_MAX, &ms.builtin, &blen, e2, sizeof(e2)) < 0)
		ms.builtin = NULL;
	free(bpath);
	for (size_t i = 0; i < nwant && !rc; i++) {
		rc = resolve(&ms, want[i], files, 0, err, errlen);
		if (rc && !strncmp(err, "module ", 7) && strstr(err, "not found")) {
			size_t l = strlen(err);

			snprintf(err + l, errlen - l, " under %s", dir);
		}
	}
	for (size_t i = 0; i < ms.n; i++) {
		free(ms.v[i].name);
		free(ms.v[i].path);
	}
	free(ms.v);
	free(ms.builtin);
	return rc;
}
