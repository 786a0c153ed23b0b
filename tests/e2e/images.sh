#!/bin/bash
# End-to-end: missing images never make a green run (issue 16 item 1). A
# test whose image is not in the images folder fails; no image at all is
# the environment error (exit 3); only an arch this build left out skips,
# and says so.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

no_result_lines()
{
	[ "$(count_results)" -eq 0 ]
}

one_line_on_stderr()
{
	[ "$(wc -l <"$E2E/err")" -eq 1 ]
}

# --- an images folder that holds none of the images -------------------------
mkdir -p "$E2E/empty-img/x86_64"
kut_raw --qemu "$FAKE" --images "$E2E/empty-img" --config "$CFG" --arch x86_64 \
	--accel tcg --log-dir "$E2E/logs" --no-default-expect pass fail skip
check "empty_images_folder_exits_3" rc_is 3
check "empty_images_folder_says_so_in_one_line" one_line_on_stderr
check "empty_images_folder_names_the_folder" err_has "no images for x86_64 in $E2E/empty-img/x86_64"
check "empty_images_folder_prints_no_result" no_result_lines

# --- a folder with some of the images ----------------------------------------
mkdir -p "$E2E/some-img/x86_64"
cp "$E2E/img/x86_64/pass.flat" "$E2E/some-img/x86_64/"
kut_raw --qemu "$FAKE" --images "$E2E/some-img" --config "$CFG" --arch x86_64 \
	--accel tcg --log-dir "$E2E/logs" --no-default-expect pass skip
check "missing_image_exits_1" rc_is 1
check "missing_image_is_not_ok" tap_not_ok skip
check "missing_image_is_no_skip" bash -c "! grep -aE '^(not )?ok [0-9]+ - skip # SKIP' '$E2E/out'"
check "missing_image_reason_names_the_file" yaml_has skip "reason: .*some-img/x86_64/skip\\.flat: No such file"
check "missing_image_other_test_runs" tap_ok pass
check "missing_image_counts_as_failed" out_has "^# 2 tests: 1 passed, 1 failed"
kut_raw --qemu "$FAKE" --images "$E2E/some-img" --config "$CFG" --arch x86_64 \
	--accel tcg --list pass skip
check "missing_image_list_says_fail" out_has "^skip .*fail: image .*skip\\.flat"

# --- an arch this build did not make ------------------------------------------
# tests/e2e.mk exports configure's GUEST_ARCHES; pick an arch not in it.
left_out=
for a in aarch64 arm ppc64le ppc64; do
	case " ${GUEST_ARCHES-x86_64 i386} " in
	*" $a "*) ;;
	*) left_out=$a; break ;;
	esac
done
if [ -z "$left_out" ]; then
	skip "left_out_arch_skips" "this build made every arch"
else
	kut_raw --qemu "$FAKE" --config "$CFG" --arch "$left_out" --accel tcg \
		--log-dir "$E2E/logs" --no-default-expect pass
	check "left_out_arch_exits_0" rc_is 0
	check "left_out_arch_skips" tap_directive pass SKIP
	check "left_out_arch_skip_says_why" out_has "# SKIP image pass\\.flat: this build left out $left_out"
fi

# --- a built arch without any images folder -----------------------------------
# A copy of the launcher outside the build tree finds no images/ beside it.
mkdir -p "$E2E/alone"
cp "$KUT" "$E2E/alone/kvm-unit-tests"
E2E_ENV=(-u KUT_IMAGES)
KUT_SAVED=$KUT
KUT=$E2E/alone/kvm-unit-tests
kut_raw --qemu "$FAKE" --config "$CFG" --arch x86_64 --accel tcg \
	--log-dir "$E2E/logs" --no-default-expect pass
KUT=$KUT_SAVED
E2E_ENV=()
x86_64_built=false
case " ${GUEST_ARCHES-x86_64 i386} " in
*" x86_64 "*) x86_64_built=true ;;
esac
if ! $x86_64_built; then
	skip "built_arch_without_images_exits_3" "this build left out x86_64"
elif [ -d /usr/local/share/kvm-unit-tests/x86_64 ] || [ -d /usr/share/kvm-unit-tests/x86_64 ]; then
	skip "built_arch_without_images_exits_3" "images are installed on this host"
else
	check "built_arch_without_images_exits_3" rc_is 3
	check "built_arch_without_images_says_what_was_tried" err_has "no images for x86_64: tried"
fi

e2e_finish
