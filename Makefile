# SPDX-License-Identifier: GPL-2.0
# gmemsuite: make (build), make check (tests), make bench, make report,
# make vmcheck, make install INSTALL_PATH=DIR.
#
# Inside a kernel tree, as tools/testing/selftests/gmemsuite (copied or
# symlinked), it is a kselftest target: kselftest's lib.mk builds it into
# $(OUTPUT), installs it and runs it with kselftest's runner
# (make -C tools/testing/selftests TARGETS=gmemsuite [run_tests|install|
# gen_tar|emit_tests]).  KSELFTEST=0 forces the standalone build there.

# lib.mk: next to our parent directory (a copy), or, for a symlink, next
# to the selftests directory kselftest's make ran us from (its PWD: make -C
# resolves the link, the environment keeps the logical path).
KSFT_LIBMK := $(firstword $(wildcard $(CURDIR)/../lib.mk) \
	$(if $(filter $(CURDIR),$(realpath $(PWD)/gmemsuite)), \
	     $(wildcard $(PWD)/lib.mk)))
ifeq ($(KSELFTEST),)
KSELFTEST := $(if $(KSFT_LIBMK),1,0)
endif

CC	?= gcc
SRC	:= $(CURDIR)
GMEM_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 \
	   -I$(SRC)/include/kvm -I$(SRC)/include/harness -I$(SRC)/include/results \
	   -fno-stack-protector -fno-pie -fno-omit-frame-pointer \
	   -fno-builtin-memcpy -fno-builtin-memset -fno-builtin-memcmp \
	   -fno-builtin-strlen -MMD -MP
# Guest code runs from a copy of the binary at its link address.
GMEM_LDFLAGS := -no-pie -pthread
GMEM_LDLIBS := -lm

# Three layers, one way (scripts/check-layers): lib/kvm (VMs, guest_memfd,
# the host) never includes the others; lib/harness (KTAP cases) and
# lib/results (JSON, statistics, bench output) use lib/kvm.
LAYERS     := kvm harness results
$(foreach l,$(LAYERS),$(eval SRCS_$(l) := $(wildcard lib/$(l)/*.c) \
	$(wildcard lib/$(l)/*.S)))
LIB_SRCS   := $(foreach l,$(LAYERS),$(SRCS_$(l)))
# Test doubles: linked into the tests that use them only.
MODEL_SRCS := $(wildcard tests/model/*.c)
TEST_SRCS  := $(wildcard tests/*.c)
BENCH_SRCS := $(wildcard bench/*.c)
TOOL_SRCS  := $(wildcard tools/*.c)
# tools/results: one file per subcommand (tools/results/results.h).
RESULTS_SRCS := $(wildcard tools/results/*.c)
# End-to-end checks over the built programs (host state, output paths).
TEST_SCRIPTS := $(wildcard tests/*.sh)
TEST_NAMES  := $(notdir $(basename $(TEST_SRCS)))
BENCH_NAMES := $(notdir $(basename $(BENCH_SRCS)))
TOOL_NAMES  := $(notdir $(basename $(TOOL_SRCS))) results

ifeq ($(KSELFTEST),1)
# ---- kselftest target --------------------------------------------------
# Objects under $(OUTPUT)/.gmemsuite, programs flat in $(OUTPUT) (what
# kselftest installs and runs); the tree's exported uAPI headers
# (KHDR_INCLUDES, "make headers") first, include/kvm/compat.h for the rest.
TEST_GEN_PROGS := $(TEST_NAMES)
# What the scripts and benchmarks need on the target (tools/results as
# results-tool: results/ is a directory of this source tree, where an
# in-tree build puts its programs).
TEST_GEN_PROGS_EXTENDED := $(BENCH_NAMES) host_report results-tool
# The per-VM-type reruns and the host-state checks, as kselftest programs;
# not the scripts that test the checkout's own tools ("# checkout-only:").
CHECKOUT_TESTS := $(shell grep -l '^\# checkout-only:' $(TEST_SCRIPTS))
TEST_PROGS := $(filter-out $(CHECKOUT_TESTS),$(TEST_SCRIPTS)) \
	      $(wildcard ksft/*.sh)
TEST_FILES := known-issues $(wildcard tests/data/*.json) docs/coverage.md
OVERRIDE_TARGETS := 1
include $(KSFT_LIBMK)
BLD := $(OUTPUT)/.gmemsuite
# lib.mk's CFLAGS (-D_GNU_SOURCE=, its include path, USERCFLAGS).
GMEM_CFLAGS += $(KHDR_INCLUDES) $(CFLAGS)
GMEM_LDFLAGS += $(LDFLAGS)
EXTRA_CLEAN := $(BLD)
PROG_DIR_tests := $(OUTPUT)
PROG_DIR_bench := $(OUTPUT)
PROG_DIR_tools := $(OUTPUT)
TOOL_NAMES := host_report
# The tree's uAPI headers, never the build machine's: without the export
# (make headers) <linux/kvm.h> would silently come from /usr/include
# (linux-libc-dev, e.g. 6.1), and stale headers of another version
# describe another KVM.  Not needed to list or clean.
ifneq ($(filter-out clean emit_tests headers,$(or $(MAKECMDGOALS),all)),)
KHDR_DIR := $(strip $(patsubst -isystem%,%,$(KHDR_INCLUDES)))
TREE_VERSION := $(shell sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' \
	$(top_srcdir)/Makefile 2>/dev/null | paste -sd.)
HDR_VERSION := $(shell sed -n 's/^\#define LINUX_VERSION_MAJOR //p; \
	s/^\#define LINUX_VERSION_PATCHLEVEL //p' \
	$(KHDR_DIR)/linux/version.h 2>/dev/null | paste -sd.)
ifeq ($(wildcard $(KHDR_DIR)/linux/kvm.h),)
$(error gmemsuite: no $(KHDR_DIR)/linux/kvm.h: the tree's uAPI headers are not exported (run 'make headers' in $(realpath $(top_srcdir)), with the same O= as this build); /usr/include/linux/kvm.h is the build machine's, not this tree's $(TREE_VERSION))
endif
ifneq ($(HDR_VERSION),$(TREE_VERSION))
$(error gmemsuite: the exported headers in $(KHDR_DIR) are $(or $(HDR_VERSION),of no version), the tree is $(TREE_VERSION): run 'make headers' again)
endif
endif
else
# ---- standalone ----------------------------------------------------------
# Not "O": kselftest passes O= (the kernel's output tree) to sub-makes.
BLD	:= build
GMEM_CFLAGS += -D_GNU_SOURCE $(EXTRA_CFLAGS)
GMEM_LDFLAGS += $(EXTRA_LDFLAGS)
PROG_DIR_tests := $(BLD)/tests
PROG_DIR_bench := $(BLD)/bench
PROG_DIR_tools := $(BLD)/tools
endif

# Quiet by default, kernel style; make V=1 shows the commands.
ifeq ($(V),1)
Q :=
gmsg = @true
else
Q := @
gmsg = @printf '  %-6s %s\n' $(1) $(2)
endif

objs_of = $(patsubst %,$(BLD)/%.o,$(basename $(1)))
# Not under $(BLD)/tools/results: that is the program.
RESULTS_OBJS := $(patsubst tools/results/%.c,$(BLD)/results-tool/%.o,$(RESULTS_SRCS))
LIB_OBJS := $(call objs_of,$(LIB_SRCS))
TESTS	 := $(addprefix $(PROG_DIR_tests)/,$(TEST_NAMES))
BENCHES	 := $(addprefix $(PROG_DIR_bench)/,$(BENCH_NAMES))
TOOLS	 := $(addprefix $(PROG_DIR_tools)/,$(TOOL_NAMES))
LIB_kvm	 := $(BLD)/libkvm.a
LIB_harness := $(BLD)/libharness.a
LIB_results := $(BLD)/libresults.a
MODEL_OBJS := $(call objs_of,$(MODEL_SRCS))

ifeq ($(KSELFTEST),0)
all: $(TESTS) $(BENCHES) $(TOOLS)
endif

# Code that runs in guests: no SSE (see GUEST_CODE_BEGIN in ucall.h).
GUEST_CFLAGS := -mgeneral-regs-only
$(BLD)/lib/kvm/string_override.o: GMEM_CFLAGS += $(GUEST_CFLAGS) -fno-builtin \
	-fno-tree-loop-distribute-patterns
$(BLD)/lib/kvm/ucall.o $(BLD)/lib/kvm/guest_ops.o $(BLD)/lib/kvm/coco_guest.o \
$(BLD)/lib/kvm/coco.o: GMEM_CFLAGS += $(GUEST_CFLAGS)
# Results name the suite revision they were measured with; rev.h is
# rewritten only when the revision changes, so nothing relinks for nothing.
# A copy without git history (a kernel tree) reads the file REVISION.
REV := $(shell git -C $(SRC) describe --always --dirty 2>/dev/null || \
	cat $(SRC)/REVISION 2>/dev/null || echo unknown)
$(shell mkdir -p $(BLD) && \
	echo '#define GMEMSUITE_REV "$(REV)"' >$(BLD)/rev.h.tmp && \
	(cmp -s $(BLD)/rev.h.tmp $(BLD)/rev.h || mv $(BLD)/rev.h.tmp $(BLD)/rev.h); \
	rm -f $(BLD)/rev.h.tmp)
$(BLD)/lib/results/bench.o: $(BLD)/rev.h
$(BLD)/lib/results/bench.o: GMEM_CFLAGS += -include $(BLD)/rev.h

$(BLD)/%.o: $(SRC)/%.c | gmem-headers
	@mkdir -p $(dir $@)
	$(call gmsg,CC,$@)
	$(Q)$(CC) $(GMEM_CFLAGS) -c -o $@ $<

$(BLD)/results-tool/%.o: $(SRC)/tools/results/%.c | gmem-headers
	@mkdir -p $(dir $@)
	$(call gmsg,CC,$@)
	$(Q)$(CC) $(GMEM_CFLAGS) -c -o $@ $<

$(BLD)/%.o: $(SRC)/%.S
	@mkdir -p $(dir $@)
	$(call gmsg,AS,$@)
	$(Q)$(CC) $(GMEM_CFLAGS) -c -o $@ $<

$(foreach l,$(LAYERS),$(eval $(LIB_$(l)): $(call objs_of,$(SRCS_$(l)))))
$(foreach l,$(LAYERS),$(LIB_$(l))):
	$(call gmsg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Each program links the layers it uses: tests all three, benchmarks and
# tools results and kvm (never the harness).  --whole-archive:
# string_override.o must always override libc's copies.
define link
	@mkdir -p $(dir $@)
	$(call gmsg,LD,$@)
	$(Q)$(CC) $(GMEM_LDFLAGS) -o $@ $(filter %.o,$^) -Wl,--whole-archive $(filter %.a,$^) -Wl,--no-whole-archive $(GMEM_LDLIBS)
endef
$(TESTS): $(PROG_DIR_tests)/%: $(BLD)/tests/%.o $(LIB_harness) $(LIB_results) $(LIB_kvm)
	$(link)
# The KVM model (a test double) goes into the one test of it only.
$(PROG_DIR_tests)/coco_unit_test: $(MODEL_OBJS)
$(BLD)/tests/coco_unit_test.o $(MODEL_OBJS): GMEM_CFLAGS += -I$(SRC)/tests/model
$(BENCHES): $(PROG_DIR_bench)/%: $(BLD)/bench/%.o $(LIB_results) $(LIB_kvm)
	$(link)
$(filter-out %/results,$(TOOLS)): $(PROG_DIR_tools)/%: $(BLD)/tools/%.o $(LIB_results) $(LIB_kvm)
	$(link)
ifeq ($(KSELFTEST),0)
$(PROG_DIR_tools)/results: $(RESULTS_OBJS) $(LIB_results) $(LIB_kvm)
	$(link)
endif
ifeq ($(KSELFTEST),1)
# tools/results under another name: an in-tree build's $(OUTPUT) is this
# directory, where results/ holds the reference runs.
$(OUTPUT)/results-tool: $(RESULTS_OBJS) $(LIB_results) $(LIB_kvm)
	$(link)
endif

# <linux/kvm.h> comes from linux-libc-dev, or from the kernel tree's
# exported headers (make headers) in a kselftest build; install
# linux-libc-dev when neither has it.
KHDR_DIR := $(strip $(patsubst -isystem%,%,$(KHDR_INCLUDES)))
gmem-headers:
	@command -v $(CC) >/dev/null && \
		{ test -f /usr/include/linux/kvm.h || \
		  test -f "$(strip $(KHDR_DIR))/linux/kvm.h"; } || \
		$(SRC)/scripts/ensure-deps build

ifeq ($(KSELFTEST),0)
# The kernel's KTAP parser (kunit.py parse) must count what the suite
# counts (scripts/ktap-parse-check); the suite's summary stays the last line.
check: all
	@{ scripts/run-tests $(TESTS) $(TEST_SCRIPTS); echo $$? >$(BLD)/check.rc; } | \
		tee $(BLD)/check.log; rc=$$(cat $(BLD)/check.rc); \
	scripts/ktap-parse-check $(BLD)/check.log; [ $$? -ne 1 ] || rc=1; \
	tail -n 1 $(BLD)/check.log; exit $$rc

# make bench [BENCH_PLAN=quick|full] [RUNS=N] [BENCH_ONLY="GLOB ..."]
#   [OUT=DIR] [PERF=1]: scripts/bench's header says the rest.
# make bench's variables reach scripts/bench as GMEMSUITE_<NAME> only.
BENCH_KNOBS := BENCH_PLAN RUNS BENCH_ONLY BENCH_SIZE BENCH_PASSES \
	BENCH_BATCH BENCH_PLOTS BENCH_DRY_RUN OUT PERF
unexport $(BENCH_KNOBS)
# ("unexport X" itself defines X, empty, from this file: pass only the
# ones given on the command line or in the environment.)
bench_env = $(foreach k,$(BENCH_KNOBS),$(if $(filter command line environment,$(origin $(k))),GMEMSUITE_$(k)='$($(k))'))
bench: all
	$(bench_env) scripts/bench

# A packed reference result (results/*/raw.tar.xz) is unpacked first.
unpack_raw = if [ -f $(1)/raw.tar.xz ] && \
	! ls $(1)/*.json >/dev/null 2>&1; then \
	scripts/results-pack --unpack $(1) || exit 2; fi

# make plots RUN=results/<run>: redraw a run's plots from its JSON.
plots: all
	@test -n "$(RUN)" || { echo "make plots RUN=DIR" >&2; exit 2; }
	@$(call unpack_raw,$(RUN))
	$(BLD)/tools/results summary $(RUN) $(if $(FORCE),--force)
	scripts/plots $(if $(FORCE),--force) $(RUN)

# make compare A=run B=run [STAT=untimed|mean|p50|p90|p99] [ALPHA=0.05] [FAIL_PCT=5]
#   [ACROSS_KERNELS=1] [FORCE=1] [DRIFT=PROFILE|PCT] [PLOT=DIR]: a verdict
#   on the runs of each configuration (make bench RUNS=N), on the per-run
#   STAT (default: untimed for faults, p50 for conversions); the host's
#   drift between invocations is taken into the interval: DRIFT=PROFILE|PCT,
#   default auto (the drift.tsv of a calibrate-compare run on A's kernel
#   and CPU under build/results or results); PLOT draws A against B.
compare: all
	@test -n "$(A)" -a -n "$(B)" || { echo "make compare A=DIR B=DIR" >&2; exit 2; }
	@$(call unpack_raw,$(A)); $(call unpack_raw,$(B))
	GMEMSUITE_DRIFT_PATH=$${GMEMSUITE_DRIFT_PATH:-$(CURDIR)/build/results:$(CURDIR)/results} \
	$(BLD)/tools/results compare $(A) $(B) $(if $(STAT),--stat $(STAT)) \
		$(if $(ALPHA),--alpha $(ALPHA)) \
		$(if $(FAIL_PCT),--fail-on-regression $(FAIL_PCT)) \
		$(if $(ACROSS_KERNELS),--across-kernels) $(if $(FORCE),--force) \
		--drift $(or $(DRIFT),auto) $(if $(PLOT),--plot $(PLOT))
	$(if $(PLOT),scripts/plots --draw $(PLOT))

report: $(BLD)/tools/host_report
	$(BLD)/tools/host_report

# VMCHECK_ARGS: e.g. --kernel /boot/vmlinuz-X --modules DIR, --cmdline "...".
# SERIES=PATH [BASE=X.Y]: a kernel with a posted series applied (mbox or
# patch directory, scripts/build-kernel --series), its KVM selftests too.
# TREE=DIR: a kernel source tree of yours (scripts/build-kernel --tree).
vmcheck: all
	scripts/vmcheck-suite $(if $(TREE),--tree $(TREE)) \
		$(if $(SERIES),--series $(SERIES)) \
		$(if $(BASE),--base $(BASE)) $(VMCHECK_ARGS) -- $(TESTS)

# make mutate [MUTATE_ARGS="--base 7.2 --series DIR --only GLOB"]: the
# suite against kernel/mutants/ (scripts/mutate --help).
mutate: all
	scripts/mutate $(MUTATE_ARGS)

# The layout kselftest's install gives the gmemsuite directory; the
# runner at the top is ours unless KSFT_DIR names a kernel tree's
# tools/testing/selftests (then it is kselftest's own).
INSTALL_PATH ?= $(BLD)/install
install: all
	scripts/install-kselftest $(INSTALL_PATH)

clean:
	rm -rf $(BLD)

# make help: the targets and their knobs (nothing is built).
define HELP
gmemsuite: KVM guest_memfd and shared<->private conversion tests and benchmarks

Targets (knobs are make variables: make bench RUNS=5):
  make                  build tests, benchmarks and tools under build/
  make check            the tests (KTAP; last line "N passed, N failed, N skipped")
  make bench            the main job: a plan of benchmark runs, summary.md and plots
      BENCH_PLAN=quick|full  RUNS=N  BENCH_ONLY="GLOB ..."  BENCH_SIZE=S
      BENCH_PASSES=I  BENCH_BATCH=N  BENCH_PLOTS=0  BENCH_DRY_RUN=1
      OUT=DIR (default build/results/<host>-<kernel>-<date>)  PERF=1
  make compare A=DIR B=DIR   a verdict per configuration, from runs
      STAT=untimed|mean|p50|p90|p99  ALPHA=0.05  FAIL_PCT=PCT
      ACROSS_KERNELS=1  FORCE=1  DRIFT=PROFILE|PCT  PLOT=DIR
  make plots RUN=DIR    redraw a run's plots from its JSON (FORCE=1)
  make report           what this host offers (KVM, guest_memfd, SNP, TDX, pools)
  make vmcheck          the suite inside a VM on a kernel with private memory
      TREE=DIR | SERIES=PATH [BASE=X.Y]  VMCHECK_ARGS="--kernel IMG --cpus 1 ..."
  make mutate           the suite against the kernel mutants (MUTATE_ARGS="...")
  make install          the kselftest layout under INSTALL_PATH (default build/install)
  make clean            remove build/
  make help             this text
  V=1                   show the commands

Every script and program answers --help: scripts/bench --help, build/bench/fault_bench --help ...
endef
export HELP
help:
	@printf '%s\n' "$$HELP"

.PHONY: plots compare check bench report vmcheck mutate install clean help
endif
.PHONY: all gmem-headers
.SECONDARY:
-include $(shell find $(BLD) -name '*.d' 2>/dev/null)
