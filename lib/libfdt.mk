# libfdt for the guests that read a device tree (arm, aarch64, ppc64le,
# ppc64), compiled from a libfdt source folder by each arch's cross GCC
# (DESIGN.md, "Dependencies"; docs/design.md says why from source).
#
# configure finds the folder (--with-libfdt-src). An arch fragment adds
# $(LIBFDT_CPPFLAGS) to its guest flags (every file that includes libfdt.h,
# lib/devicetree.c first, needs them), compiles $(GUEST_DT_SRCS) like its
# other library sources, and builds $(LIBFDT_NAMES) into
# obj/<arch>/libfdt/<name>.o with its own compiler, e.g.:
#
#   AARCH64_LIBFDT_OBJS = $(LIBFDT_NAMES:%=obj/aarch64/libfdt/%.o)
#   obj/aarch64/libfdt/%.o: $(LIBFDT_SRC)/%.c
#   	$(AM_V_CC)$(MKDIR_P) $(@D) && $(AARCH64_CC) $(AARCH64_CFLAGS) \
#   		$(LIBFDT_CPPFLAGS) $(LIBFDT_CFLAGS) -c -o $@ $<

LIBFDT_SRC = @LIBFDT_SRC@
LIBFDT_NAMES = fdt fdt_ro fdt_wip fdt_sw fdt_rw fdt_strerror \
	fdt_empty_tree fdt_addresses
# The shim's <string.h> and <stdlib.h> are the tiny libc; <limits.h> comes
# from lib/ (on every guest's include path).
LIBFDT_CPPFLAGS = -I$(srcdir)/lib/libfdt-shim -I$(LIBFDT_SRC)
# libfdt is not ours: its code is built as it is, without our -Werror
# extras that its style does not follow.
LIBFDT_CFLAGS = -Wno-sign-compare -Wno-unused-parameter

GUEST_DT_SRCS = lib/devicetree.c
GUEST_DT_HDRS = lib/devicetree.h lib/libfdt-shim/string.h \
	lib/libfdt-shim/stdlib.h

EXTRA_DIST += $(GUEST_DT_SRCS) $(GUEST_DT_HDRS)
