# libFuzzer harnesses of the launcher's parsers (issue 8): fuzz/cfg.c (the
# unittests.cfg parser), fuzz/verdict.c (guest output, EXIT line and QEMU's
# end to a verdict and its TAP lines), fuzz/expect.c (--expect lists).
#
#   make fuzz                      every harness for FUZZ_SECONDS (300) each
#   make fuzz FUZZ_RUNS=1000000    a fixed number of executions instead
#   make fuzz FUZZERS=cfg          one harness
#
# The harnesses and the launcher sources they need are compiled straight
# into fuzz/bin/ by $(FUZZ_CC) (clang: libFuzzer with ASan and UBSan), so
# the ordinary build keeps its own compiler and objects. New inputs go to
# fuzz/work/<name>/, crashes to fuzz/artifacts/; the seeds in
# $(srcdir)/fuzz/corpus/<name>/ are only read. A crash input, once fixed,
# goes to $(srcdir)/fuzz/regress/<name>/, which `make check` replays
# (tests/fuzz-replay.sh) together with the seeds, with the gcc build.

FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Wall -Wextra -Werror
FUZZ_SECONDS = 300
FUZZ_RUNS =
FUZZERS = cfg verdict expect

# Every launcher source but main.c (the ones a harness does not use cost
# only compile time; a list of our own would break when a file is split).
FUZZ_LAUNCHER_SRCS = $(filter %.c,$(launcher_libkut_a_SOURCES))

fuzz/bin/cfg: $(srcdir)/fuzz/cfg.c
fuzz/bin/verdict: $(srcdir)/fuzz/verdict.c
fuzz/bin/expect: $(srcdir)/fuzz/expect.c
$(FUZZERS:%=fuzz/bin/%): $(FUZZ_LAUNCHER_SRCS:%=$(srcdir)/%)
fuzz/bin/%:
	@$(MKDIR_P) fuzz/bin
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(KUT_LAUNCHER_CPPFLAGS) -o $@ $(sort $^) -lm

fuzz-build: $(FUZZERS:%=fuzz/bin/%)

fuzz: fuzz-build
	@rc=0; for f in $(FUZZERS); do \
		$(SHELL) $(srcdir)/fuzz/run.sh fuzz/bin/$$f $(srcdir)/fuzz/corpus/$$f \
			fuzz/work/$$f fuzz/artifacts "$(FUZZ_SECONDS)" "$(FUZZ_RUNS)" || rc=1; \
	done; exit $$rc

# CI's budget (.ci/run): the executions each harness made in `make fuzz`'s
# 300 s on a 2-core Debian 12 VM (clang 14, starting from the seeds),
# rounded up: cfg 1823439, verdict 1282281, expect 977412. The
# three run side by side.
FUZZ_CI_RUNS_cfg = 1900000
FUZZ_CI_RUNS_verdict = 1300000
FUZZ_CI_RUNS_expect = 1000000

fuzz-ci: fuzz-build
	@rc=0; pids=; \
	$(foreach f,$(FUZZERS),$(SHELL) $(srcdir)/fuzz/run.sh fuzz/bin/$(f) \
		$(srcdir)/fuzz/corpus/$(f) fuzz/work/$(f) fuzz/artifacts "" \
		"$(FUZZ_CI_RUNS_$(f))" & pids="$$pids $$!";) \
	for p in $$pids; do wait $$p || rc=1; done; exit $$rc

# The seeds and every fixed crash input, replayed through the harnesses
# built with the ordinary compiler (no libFuzzer: fuzz/replay.c is the
# driver), as part of `make check`.
FUZZ_REPLAY = fuzz/replay-cfg fuzz/replay-verdict fuzz/replay-expect
check_PROGRAMS += $(FUZZ_REPLAY)
FUZZ_REPLAY_CPPFLAGS = $(KUT_LAUNCHER_CPPFLAGS)
fuzz_replay_cfg_SOURCES = fuzz/replay.c fuzz/cfg.c
fuzz_replay_cfg_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS)
fuzz_replay_cfg_LDADD = launcher/libkut.a -lm
fuzz_replay_verdict_SOURCES = fuzz/replay.c fuzz/verdict.c
fuzz_replay_verdict_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS)
fuzz_replay_verdict_LDADD = launcher/libkut.a -lm
fuzz_replay_expect_SOURCES = fuzz/replay.c fuzz/expect.c
fuzz_replay_expect_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS)
fuzz_replay_expect_LDADD = launcher/libkut.a -lm
TESTS += fuzz/replay.sh
EXTRA_DIST += fuzz/replay.sh fuzz/run.sh fuzz/corpus fuzz/regress

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf fuzz/bin fuzz/work fuzz/artifacts

.PHONY: fuzz fuzz-build fuzz-ci clean-fuzz
