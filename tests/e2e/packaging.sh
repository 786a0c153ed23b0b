#!/bin/bash
# End-to-end: what the docs and packaging promise (issue 16 items 15, 16).
# The first command of the README works as root without sudo and as a user
# with it; kvm-unit-tests.cfg(5) describes the machines the catalog uses;
# --timeout-factor states its limits; the Debian description names every
# arch the build packages; `make deb` keeps the .changes and .buildinfo
# beside the .deb; `make rpm` passes --nodeps by itself outside an RPM
# distribution (both read from `make -n`: a real package build takes too
# long for make check, .ci/run does it).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# --- item 16: README's first command, .ci/install-deps ------------------------
first_command=$(awk '/^```sh$/ { getline; print; exit }' "$top_srcdir/README.md")
check "readme_first_command_has_no_sudo" bash -c "case '$first_command' in sudo*) exit 1 ;; esac"
check "readme_first_command_runs_install_deps" \
	bash -c "case '$first_command' in 'sh .ci/install-deps &&'*) exit 0 ;; esac; exit 1"

# Fakes for everything install-deps runs: nothing is installed, every call
# is recorded in $calls (writable by the user case too).
fakes=$E2E/fakes
calls=$E2E/calls
mkdir -p "$fakes" "$calls"
chmod 755 "$E2E" "$fakes"
chmod 777 "$calls"
for tool in sudo apt-get apt-cache dpkg-query dpkg tar; do
	cat >"$fakes/$tool" <<EOS
#!/bin/sh
echo "\$(id -u) \$*" >>"$calls/$tool"
case "$tool \$1" in
"dpkg --print-architecture") echo amd64 ;;
"dpkg-query "*) exit 1 ;;
esac
exit 0
EOS
	chmod 755 "$fakes/$tool"
done
deps()
{
	rm -f "$calls"/*
	(cd "$E2E/cwd" && env PATH="$fakes:/usr/bin:/bin" KUT_KERNEL_CACHE="$E2E/kcache" \
		"$@" sh "$top_srcdir/.ci/install-deps") >"$E2E/out" 2>"$E2E/err"
	rc=$?
}
if [ "$(id -u)" = 0 ]; then
	deps
	check "install_deps_as_root_needs_no_sudo" test ! -e "$calls/sudo"
	check "install_deps_as_root_installs" grep -q "^0 install " "$calls/apt-get"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	if ! "${as_user[@]}" true 2>/dev/null; then
		as_user=()
		skip "install_deps_as_a_user_goes_through_sudo" "cannot become another user (setpriv)"
	fi
else
	skip "install_deps_as_root_needs_no_sudo" "not root"
	as_user=(env)
fi
if [ ${#as_user[@]} -gt 0 ]; then
	deps "${as_user[@]}"
	check "install_deps_as_a_user_goes_through_sudo" grep -q " sh $top_srcdir/.ci/install-deps" "$calls/sudo"
	check "install_deps_as_a_user_installs_nothing_itself" test ! -e "$calls/apt-get"
	rm "$fakes/sudo"
	deps "${as_user[@]}"
	check "install_deps_as_a_user_without_sudo_exits_1" rc_is 1
	check "install_deps_as_a_user_without_sudo_says_so" err_has "run me as root"
fi

# --- item 15: kvm-unit-tests.cfg(5) on machines ---------------------------------
cfg5=$top_srcdir/man/kvm-unit-tests.cfg.5
for m in $(sed -n 's/^machine = //p' "$top_srcdir/x86/unittests.cfg" | sort -u); do
	check "cfg5_names_machine_$m" grep -q "$m" "$cfg5"
done
check "cfg5_does_not_say_every_x86_test_runs_on_pc" \
	bash -c "! tr '\n' ' ' <'$cfg5' | grep -q 'Every x86 test in the project.s catalog runs on .B pc'"

# --- item 15: --timeout-factor states its limits ---------------------------------
kut --timeout-factor 1001 pass
check "timeout_factor_1001_exits_2" rc_is 2
check "timeout_factor_1001_says_the_limit" err_has "want a number above 0, at most 1000"

# --- item 15: the Debian description, make deb, make rpm ---------------------------
for a in ${GUEST_ARCHES:-x86_64 i386}; do
	check "debian_description_names_$a" \
		bash -c "sed -n '/^Description:/,\$p' '$top_srcdir/packaging/debian/control' | grep -qw '$a'"
done
if [ -f "$top_builddir/Makefile" ] && command -v make >/dev/null; then
	# continuation lines joined: one command per line
	make -n -C "$top_builddir" deb 2>/dev/null | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' >"$E2E/deb.n"
	check "make_deb_copies_the_changes_beside_the_deb" grep -qE 'cp .*\*\.deb .*\*\.changes .*\*\.buildinfo' "$E2E/deb.n"
	check "make_deb_lintian_reads_the_copied_changes" grep -qE "lintian .*$(cd "$top_builddir" && pwd)/kvm-unit-tests_" "$E2E/deb.n"
	make -n -C "$top_builddir" rpm >"$E2E/rpm.n" 2>/dev/null
	if rpm -q rpm >/dev/null 2>&1; then
		check "make_rpm_on_an_rpm_distribution_checks_deps" bash -c "! grep -q -- '--nodeps' '$E2E/rpm.n'"
	else
		check "make_rpm_outside_an_rpm_distribution_passes_nodeps" grep -q -- 'rpmbuild -bb --nodeps' "$E2E/rpm.n"
	fi
	make -n -C "$top_builddir" rpm RPMBUILD_FLAGS= >"$E2E/rpm.n" 2>/dev/null
	check "make_rpm_flags_can_be_overridden" bash -c "! grep -q -- '--nodeps' '$E2E/rpm.n'"
else
	skip "make_deb_copies_the_changes_beside_the_deb" "no build tree Makefile"
fi

e2e_finish
