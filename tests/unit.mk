# Unit tests of the launcher: each program links launcher/libkut.a, tests
# one file's behaviour case by case and prints TAP for Automake's driver.

UNIT_TESTS = \
	tests/unit-shellwords \
	tests/unit-cfg \
	tests/unit-cond \
	tests/unit-select \
	tests/unit-expect \
	tests/unit-verdict \
	tests/unit-tap \
	tests/unit-cost \
	tests/unit-arith \
	tests/unit-plan \
	tests/unit-hostkernel \
	tests/unit-json \
	tests/unit-accel

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_CPPFLAGS = $(KUT_LAUNCHER_CPPFLAGS) -I$(srcdir)/tests
UNIT_LDADD = launcher/libkut.a

tests_unit_shellwords_SOURCES = tests/unit-shellwords.c tests/unit-harness.h
tests_unit_shellwords_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_shellwords_LDADD = $(UNIT_LDADD)
tests_unit_cfg_SOURCES = tests/unit-cfg.c tests/unit-harness.h
tests_unit_cfg_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_cfg_LDADD = $(UNIT_LDADD)
tests_unit_cond_SOURCES = tests/unit-cond.c tests/unit-harness.h
tests_unit_cond_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_cond_LDADD = $(UNIT_LDADD)
tests_unit_select_SOURCES = tests/unit-select.c tests/unit-harness.h
tests_unit_select_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_select_LDADD = $(UNIT_LDADD)
tests_unit_expect_SOURCES = tests/unit-expect.c tests/unit-harness.h
tests_unit_expect_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_expect_LDADD = $(UNIT_LDADD)
tests_unit_verdict_SOURCES = tests/unit-verdict.c tests/unit-harness.h
tests_unit_verdict_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_verdict_LDADD = $(UNIT_LDADD)
tests_unit_tap_SOURCES = tests/unit-tap.c tests/unit-harness.h
tests_unit_tap_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_tap_LDADD = $(UNIT_LDADD)
tests_unit_cost_SOURCES = tests/unit-cost.c tests/unit-harness.h
tests_unit_cost_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_cost_LDADD = $(UNIT_LDADD)
tests_unit_arith_SOURCES = tests/unit-arith.c tests/unit-harness.h
tests_unit_arith_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_arith_LDADD = $(UNIT_LDADD)
tests_unit_hostkernel_SOURCES = tests/unit-hostkernel.c tests/unit-harness.h
tests_unit_hostkernel_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_hostkernel_LDADD = $(UNIT_LDADD)
tests_unit_plan_SOURCES = tests/unit-plan.c tests/unit-harness.h
tests_unit_plan_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_plan_LDADD = $(UNIT_LDADD)
tests_unit_json_SOURCES = tests/unit-json.c tests/unit-harness.h
tests_unit_json_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_json_LDADD = $(UNIT_LDADD)
tests_unit_accel_SOURCES = tests/unit-accel.c tests/unit-harness.h
tests_unit_accel_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_accel_LDADD = $(UNIT_LDADD)
