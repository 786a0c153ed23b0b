#!/bin/bash
# make check-kvm: the x86_64 and i386 default sets under a real KVM, that of
# Debian's kernel package booted with --host-kernel (docs/host-kernel.md).
#
# usage: tests/check-kvm.sh LAUNCHER [ARCH...]   (default: x86_64 i386)
# env:   KUT_HOST_KERNEL   the kernel to boot (default: the newest vmlinuz
#                          .ci/install-deps unpacked into the cache below)
#        KUT_KERNEL_CACHE  that cache (default /var/cache/kvm-unit-tests/host-kernel)
#        KUT_HOST_RETRIES  boots after a crash (default 2)
#        CHECK_KVM_LOGS    where the TAP and logs go (default logs/check-kvm)
#
# Exit 0 when every completed run has no unexplained "not ok": a test that
# passed, skipped with its reason, or is a known failure (# TODO) is fine;
# the outer guest crashing again after its retries (launcher exit 4) is
# reported, not counted as a failure. Exit 1 on an unexplained "not ok",
# 3 when the kernel or the launcher is missing or cannot boot at all.
set -u

kut=${1:?usage: check-kvm.sh LAUNCHER [ARCH...]}
shift
arches=("$@")
[ ${#arches[@]} -eq 0 ] && arches=(x86_64 i386)
cache=${KUT_KERNEL_CACHE:-/var/cache/kvm-unit-tests/host-kernel}
logs=${CHECK_KVM_LOGS:-logs/check-kvm}
retries=${KUT_HOST_RETRIES:-2}

kernel=${KUT_HOST_KERNEL:-}
if [ -z "$kernel" ]; then
	kernel=$(ls -v "$cache"/root/boot/vmlinuz-* 2>/dev/null | tail -n 1)
fi
if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
	echo "check-kvm: no kernel: set KUT_HOST_KERNEL, or run .ci/install-deps (it unpacks Debian's linux-image-amd64 into $cache)" >&2
	exit 3
fi

status=0
summary=()
for arch in "${arches[@]}"; do
	mkdir -p "$logs/$arch"
	tap=$logs/$arch.tap
	echo "check-kvm: $arch under the KVM of $kernel (retries $retries)"
	start=$(date +%s)
	nice "$kut" --host-kernel "$kernel" --host-retries "$retries" \
		--arch "$arch" --log-dir "$logs/$arch" --junit "$logs/$arch.xml" >"$tap"
	rc=$?
	secs=$(($(date +%s) - start))
	total=$(grep -cE '^(not )?ok [0-9]' "$tap")
	pass=$(grep -E '^ok [0-9]' "$tap" | grep -cvE '# (SKIP|TODO)')
	skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$tap")
	known=$(grep -cE '^not ok [0-9]+ .*# TODO' "$tap")
	crashed=$(grep -c 'reason: "host kernel crashed' "$tap")
	# every "not ok" without TODO that no crash explains
	notok=$(grep -E '^not ok [0-9]' "$tap" | grep -cv '# TODO')
	unexplained=$((notok - crashed))
	line="$arch: $total tests: $pass passed, $skip skipped, $known known failures, $unexplained unexplained not ok, $crashed cut short by host kernel crashes; exit $rc; ${secs}s"
	echo "check-kvm: $line"
	summary+=("$line")
	grep -E '^not ok [0-9]' "$tap" | grep -v '# TODO' | sed 's/^/check-kvm:   /'
	case $rc in
	0) ;;
	4)
		echo "check-kvm: $arch: the host kernel crashed after $retries retries (see $logs/$arch/host-kernel.log); reported, not a failure"
		# exit 4 says no test failed; the TAP must agree
		[ $unexplained -gt 0 ] && status=1
		;;
	1)
		status=1
		;;
	*)
		echo "check-kvm: $arch: the run could not complete (exit $rc)" >&2
		[ $status -eq 0 ] && status=3
		;;
	esac
done
echo "check-kvm: summary"
printf 'check-kvm:   %s\n' "${summary[@]}"
exit $status
