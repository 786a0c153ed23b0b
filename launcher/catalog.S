/*
 * Every arch's unittests.cfg, compiled into the launcher so that it never
 * needs the source tree at run time (DESIGN.md, "Catalog"). Each line below
 * defines kut_cfg_<family> .. kut_cfg_<family>_end, NUL-terminated; catalog.c
 * refers to them weakly, so a family left out here simply has no catalog.
 * Adding an arch is one line here: launcher.mk already makes this object
 * depend on every ARCH/unittests.cfg. The assembler finds them through
 * -I$(srcdir).
 */
	.macro catalog family, path
	.pushsection .rodata, "a"
	.globl kut_cfg_\family
	.globl kut_cfg_\family\()_end
kut_cfg_\family:
	.incbin "\path"
kut_cfg_\family\()_end:
	.byte 0
	.popsection
	.endm

	catalog x86, "x86/unittests.cfg"
	catalog arm, "arm/unittests.cfg"
	catalog powerpc, "powerpc/unittests.cfg"

	/* No executable stack for this object. */
	.section .note.GNU-stack, "", %progbits
