# The arch-neutral guest library (DESIGN.md, "Folder layout").
#
# Guest sources are listed without $(srcdir): each arch fragment compiles
# them with its own cross compiler and flags into obj/<arch>/<path>.o.

GUEST_LIB_SRCS = \
	lib/libc/printf.c \
	lib/libc/string.c \
	lib/libc/stdlib.c \
	lib/libc/alloc.c \
	lib/report.c \
	lib/argv.c \
	lib/exit.c \
	lib/migrate.c \
	lib/memtest.c

GUEST_LIB_HDRS = \
	lib/libcflat.h \
	lib/limits.h \
	lib/libc.h \
	lib/ctype.h \
	lib/console.h \
	lib/alloc.h \
	lib/report.h \
	lib/argv.h \
	lib/migrate.h \
	lib/memtest.h \
	lib/assert.h \
	lib/bitops.h \
	lib/spinlock.h

EXTRA_DIST += $(GUEST_LIB_SRCS) $(GUEST_LIB_HDRS) tests/guest-libc-rename.h \
	lib/guest-rules.gmk

# The compile rules of every guest arch (guest_obj_rules), and the "AS"
# line they print in silent mode.
GUEST_V_AS = $(guest_v_as_@AM_V@)
guest_v_as_ = $(guest_v_as_@AM_DEFAULT_V@)
guest_v_as_0 = @echo "  AS      " $@;
guest_v_as_1 =
-include $(top_srcdir)/lib/guest-rules.gmk
$(if $(value guest_obj_rules),,$(error $(top_srcdir)/lib/guest-rules.gmk was not read))

# The same sources built for the host, to test them where a debugger and
# valgrind are at hand.  tests/guest-libc-rename.h renames the library's
# public names so they do not replace glibc's; -fno-builtin keeps GCC from
# assuming that kut_printf & co. behave like anything it knows.
check_PROGRAMS += tests/guest-libc
TESTS += tests/guest-libc
tests_guest_libc_SOURCES = tests/guest-libc.c $(GUEST_LIB_SRCS)
tests_guest_libc_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/lib \
	-include $(srcdir)/tests/guest-libc-rename.h
tests_guest_libc_CFLAGS = $(AM_CFLAGS) -std=gnu11 -fno-builtin
