/*
 * The smallest test there is: boot, one assertion, exit. bench/boot times
 * it from QEMU's start to its exit, which is the fixed cost every x86 test
 * pays (QEMU start-up, firmware, the runtime's setup, the exit device).
 */
#include "libcflat.h"

int main(void)
{
	report_pass("exit0: reached main()");
	return report_summary();
}
