# Packaging (DESIGN.md, "Build and install"): the host-side test target the
# packages' build checks run, and `make deb` / `make rpm`, which build the
# packages from `make dist`'s tarball in a scratch folder, so that the
# source tree stays clean and what is packaged is what is released.

PACKAGING_FILES = \
	packaging/README.md \
	packaging/packaging.mk \
	packaging/rpm/kvm-unit-tests.spec \
	packaging/debian/changelog \
	packaging/debian/control \
	packaging/debian/copyright \
	packaging/debian/rules \
	packaging/debian/source/format \
	packaging/debian/kvm-unit-tests.lintian-overrides

EXTRA_DIST += $(PACKAGING_FILES)

# A copy of the default expectation list beside the images: the launcher
# falls back to it when the doc folder was left out of an install
# (launcher/paths.c).
pkgdata_DATA = docs/known-failures.md

# The launcher's own tests and nothing that boots the whole guest set: what
# a distro build root can run (tests/e2e/real-guest.sh and staged-install.sh
# boot selftest under TCG when QEMU is there, and skip otherwise).
check-host:
	$(MAKE) $(AM_MAKEFLAGS) check \
		TESTS="$(UNIT_TESTS) $(E2E_TESTS) tests/guest-libc fuzz/replay.sh"

PKG_SCRATCH = $(abs_top_builddir)/pkg-build

# The .deb, its .changes and .buildinfo land together in the build folder
# (the .changes names the others by file name: they must stay side by side),
# and lintian checks them there.
deb: dist-gzip
	rm -rf $(PKG_SCRATCH)/deb && $(MKDIR_P) $(PKG_SCRATCH)/deb
	tar -C $(PKG_SCRATCH)/deb -xzf $(distdir).tar.gz
	cp -R $(PKG_SCRATCH)/deb/$(distdir)/packaging/debian $(PKG_SCRATCH)/deb/$(distdir)/debian
	cd $(PKG_SCRATCH)/deb/$(distdir) && dpkg-buildpackage -us -uc -b
	cp $(PKG_SCRATCH)/deb/*.deb $(PKG_SCRATCH)/deb/*.changes \
		$(PKG_SCRATCH)/deb/*.buildinfo $(abs_top_builddir)/
	lintian --fail-on error --info $(abs_top_builddir)/$(PACKAGE)_$(VERSION)*.changes

# rpmbuild -bb with the tarball as Source0. Outside an RPM distribution
# (Debian, Ubuntu: rpm's database does not even hold rpm itself) the
# BuildRequires name packages rpmbuild cannot see, so --nodeps is the
# default there; RPMBUILD_FLAGS= on the command line overrides it.
RPMBUILD_FLAGS = $(shell rpm -q rpm >/dev/null 2>&1 || echo --nodeps)
rpm: dist-gzip
	rm -rf $(PKG_SCRATCH)/rpm && $(MKDIR_P) $(PKG_SCRATCH)/rpm
	rpmbuild -bb $(RPMBUILD_FLAGS) \
		--define "_topdir $(PKG_SCRATCH)/rpm" \
		--define "_sourcedir $(abs_top_builddir)" \
		--define "kut_version $(VERSION)" \
		$(srcdir)/packaging/rpm/kvm-unit-tests.spec
	cp $(PKG_SCRATCH)/rpm/RPMS/*/*.rpm $(abs_top_builddir)/

mostlyclean-local: clean-packaging
clean-packaging:
	-rm -rf $(PKG_SCRATCH)

.PHONY: check-host deb rpm clean-packaging
