#!/bin/sh
# Runs one arch's default test set through the launcher with one accelerator
# and passes its TAP through. Used by `make check` via tests/guest/*.sh.
#
# usage: guest-suite.sh ARCH ACCEL
# env:   KUT (the launcher), top_builddir; KUT_CHECK_ARGS adds launcher options
#        (e.g. KUT_CHECK_ARGS="-j 1 --timeout-factor 3").
set -u
arch=$1
accel=$2
: "${KUT:?KUT must name the launcher binary}"
: "${top_builddir:=.}"

# A KVM run needs a KVM that works for this arch; the launcher's probe is the
# judge (it opens /dev/kvm and creates a VM). Anything else is a plan of 0
# with the reason, so the suite reads as skipped rather than passed.
if [ "$accel" = kvm ]; then
	# --list with --accel kvm exits 3 with the reason when KVM is unusable.
	if ! why=$("$KUT" --arch "$arch" --accel kvm --list 2>&1 >/dev/null); then
		echo "1..0 # SKIP no usable KVM for $arch: $why"
		exit 0
	fi
fi

# shellcheck disable=SC2086 # KUT_CHECK_ARGS is a list of words
exec "$KUT" --arch "$arch" --accel "$accel" \
	--log-dir "$top_builddir/logs/check-$arch-$accel" ${KUT_CHECK_ARGS:-}
