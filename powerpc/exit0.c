/*
 * The trivial test: boot, one assertion, exit. bench/boot-ppc times it
 * from QEMU's start to its exit, through our boot ROM and through SLOF.
 */
#include "libcflat.h"

int main(void)
{
	report_pass("exit0: booted and reached main()");
	return report_summary();
}
