#!/bin/bash
# The manual and --help agree: every option --help lists is documented in
# kvm-unit-tests(1)'s OPTIONS, and every option documented there is in
# --help. Both man pages are clean under mandoc -Tlint and groff -ww.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

MAN1=$top_srcdir/man/kvm-unit-tests.1
MAN5=$top_srcdir/man/kvm-unit-tests.cfg.5

# One option a line, sorted: "-g" and "--group" are separate entries.
help_options()
{
	"$KUT" --help | grep -E '^ +-' | sed -E 's/^ +//; s/  .*//' |
		grep -oE -- '--?[A-Za-z0-9][A-Za-z0-9-]*' | sort -u
}

# The tag line after each .TP of the OPTIONS section.
man_options()
{
	awk '
		/^\.SH/ { in_opts = ($2 == "OPTIONS") ; next }
		in_opts && /^\.TP/ { tag = 1; next }
		in_opts && tag { print; tag = 0 }
	' "$MAN1" | sed 's/\\-/-/g; s/\\f[BIRP]//g' |
		grep -oE -- '(^|[ "])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		sed -E 's/^[ "]//' | sort -u
}

help_options >"$E2E/help.txt"
man_options >"$E2E/man.txt"

check "help_lists_options" test "$(wc -l <"$E2E/help.txt")" -gt 5
check "man_documents_options" test "$(wc -l <"$E2E/man.txt")" -gt 5

only_in()
{
	comm "$1" "$E2E/help.txt" "$E2E/man.txt"
}
missing_from_man=$(only_in -23)
missing_from_help=$(only_in -13)
if [ -z "$missing_from_man" ]; then
	ok "every_help_option_is_in_the_man_page"
else
	not_ok "every_help_option_is_in_the_man_page" \
		"in --help, not in kvm-unit-tests(1) OPTIONS:" "$missing_from_man"
fi
if [ -z "$missing_from_help" ]; then
	ok "every_man_page_option_is_in_help"
else
	not_ok "every_man_page_option_is_in_help" \
		"in kvm-unit-tests(1) OPTIONS, not in --help:" "$missing_from_help"
fi

# The synopsis names every option that takes an argument, short or long.
synopsis_has_all()
{
	local line o found miss= syn
	syn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$MAN1" | sed 's/\\-/-/g')
	while read -r line; do
		found=false
		for o in $(printf '%s\n' "$line" | grep -oE -- '--?[A-Za-z0-9][A-Za-z0-9-]*'); do
			printf '%s\n' "$syn" | grep -qE -- "(^|[ \"])$o( |\$)" && found=true
		done
		$found || miss="$miss ${line%% *}"
	done < <("$KUT" --help | grep -E '^ +-.*-[A-Za-z-]+ [A-Z]' | sed -E 's/^ +//; s/  .*//')
	[ -z "$miss" ] && return 0
	diag "options with an argument missing from the SYNOPSIS:$miss"
	return 1
}
check "synopsis_names_every_option_with_an_argument" synopsis_has_all

# --- lint ---------------------------------------------------------------------
lint_clean()
{
	"$@" >"$E2E/lint.out" 2>&1 && [ ! -s "$E2E/lint.out" ] && return 0
	diag_file "$E2E/lint.out"
	return 1
}
if command -v mandoc >/dev/null 2>&1; then
	check "mandoc_lint_is_clean" lint_clean mandoc -Tlint -W warning "$MAN1" "$MAN5"
else
	skip "mandoc_lint_is_clean" "mandoc not installed (Debian: mandoc)"
fi
if command -v groff >/dev/null 2>&1; then
	check "groff_ww_is_clean" lint_clean groff -ww -z -man "$MAN1" "$MAN5"
else
	skip "groff_ww_is_clean" "groff not installed (Debian: groff-base)"
fi

e2e_finish
