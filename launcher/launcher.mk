# The kvm-unit-tests launcher (DESIGN.md, "The launcher"). Everything but
# main() and the embedded catalog lives in a convenience library that the
# unit tests of tests/unit.mk link as well.

KUT_LAUNCHER_CPPFLAGS = -D_GNU_SOURCE -I$(srcdir)/launcher \
	-DPKGDATADIR=\"$(pkgdatadir)\" \
	-DDOCDIR=\"$(docdir)\" \
	-DBINDIR=\"$(bindir)\" \
	-DPKGLIBEXECDIR=\"$(pkglibexecdir)\" \
	-DKUT_SRCDIR=\"$(abs_top_srcdir)\" \
	-DKUT_GUEST_ARCHES='"$(GUEST_ARCHES)"'

noinst_LIBRARIES += launcher/libkut.a
launcher_libkut_a_CPPFLAGS = $(KUT_LAUNCHER_CPPFLAGS)
launcher_libkut_a_SOURCES = \
	launcher/accel.c launcher/accel.h \
	launcher/arith.c launcher/arith.h \
	launcher/arch.c launcher/arch.h \
	launcher/catalog.c launcher/catalog.h \
	launcher/cfg.c launcher/cfg.h \
	launcher/cond.c launcher/cond.h \
	launcher/cost.c launcher/cost.h \
	launcher/exitcode.h \
	launcher/expect.c launcher/expect.h \
	launcher/hostkernel.c launcher/hostkernel.h \
	launcher/initramfs.c launcher/initramfs.h \
	launcher/json.c launcher/json.h \
	launcher/kmod.c launcher/kmod.h \
	launcher/junit.c launcher/junit.h \
	launcher/utf8.c launcher/utf8.h \
	launcher/warn.c launcher/warn.h \
	launcher/log.c launcher/log.h \
	launcher/migrate.c launcher/migrate.h \
	launcher/paths.c launcher/paths.h \
	launcher/plan.c launcher/plan.h \
	launcher/progress.c launcher/progress.h \
	launcher/qemu.c launcher/qemu.h \
	launcher/qemuver.c launcher/qemuver.h \
	launcher/qmp.c launcher/qmp.h \
	launcher/readfile.c launcher/readfile.h \
	launcher/result.c launcher/result.h \
	launcher/run.c launcher/run.h \
	launcher/select.c launcher/select.h \
	launcher/shellwords.c launcher/shellwords.h \
	launcher/strv.c launcher/strv.h \
	launcher/tap.c launcher/tap.h \
	launcher/verdict.c launcher/verdict.h \
	launcher/xalloc.c launcher/xalloc.h

bin_PROGRAMS += kvm-unit-tests
kvm_unit_tests_SOURCES = launcher/main.c launcher/catalog.S
kvm_unit_tests_CPPFLAGS = $(KUT_LAUNCHER_CPPFLAGS)
# .incbin paths are relative to the source tree; -I for cpp does not reach
# the assembler, -Wa,-I does.
kvm_unit_tests_CCASFLAGS = -Wa,-I$(srcdir)
kvm_unit_tests_LDADD = launcher/libkut.a

# .incbin is invisible to the dependency tracking: every arch's cfg, listed
# or not yet, rebuilds the catalog.
KUT_CATALOG_CFGS = $(wildcard $(srcdir)/*/unittests.cfg)
launcher/kvm_unit_tests-catalog.$(OBJEXT): $(KUT_CATALOG_CFGS)

# The init of the guest --host-kernel boots (launcher/hostinit.c): static,
# since nothing but the initramfs exists when it starts, and so built
# without the user's CFLAGS (a sanitizer runtime cannot link statically).
pkglibexec_SCRIPTS = kvm-unit-tests-hostinit
CLEANFILES += kvm-unit-tests-hostinit
EXTRA_DIST += launcher/hostinit.c
kvm-unit-tests-hostinit: launcher/hostinit.c
	$(AM_V_CCLD)$(CC) -std=gnu11 -static -O2 -D_GNU_SOURCE $(WARN_CFLAGS) \
		-o $@ $(srcdir)/launcher/hostinit.c

dist_man_MANS += man/kvm-unit-tests.1 man/kvm-unit-tests.cfg.5

# Style checks of the man pages (not part of `make check`: mandoc is not
# always installed).
check-man:
	mandoc -Tlint -W warning $(srcdir)/man/kvm-unit-tests.1 $(srcdir)/man/kvm-unit-tests.cfg.5
	groff -ww -z -man $(srcdir)/man/kvm-unit-tests.1 $(srcdir)/man/kvm-unit-tests.cfg.5

.PHONY: check-man

# The -D values above (install folders, the configured guest arches) are
# not files, so a re-configure or `make prefix=...` would otherwise leave
# objects built with old ones (a stale KUT_GUEST_ARCHES in paths.o was seen
# after re-running configure with other arches). The stamp holds them and
# changes only when they do; every launcher object depends on it.
launcher/cppflags.stamp: kut-force
	@$(MKDIR_P) $(@D)
	@echo '$(KUT_LAUNCHER_CPPFLAGS)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
kut-force:
.PHONY: kut-force
$(launcher_libkut_a_OBJECTS) $(kvm_unit_tests_OBJECTS): launcher/cppflags.stamp
CLEANFILES += launcher/cppflags.stamp
