# SPDX-License-Identifier: GPL-2.0
# gmemsuite: make (build), make check (tests), make bench, make report,
# make vmcheck, make install INSTALL_PATH=DIR.

CC	?= gcc
O	:= build
# Quiet by default, kernel style; make V=1 shows the commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif
CFLAGS	:= -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	   -Iinclude -fno-stack-protector -fno-pie -fno-omit-frame-pointer \
	   -fno-builtin-memcpy -fno-builtin-memset -fno-builtin-memcmp \
	   -fno-builtin-strlen -MMD -MP $(EXTRA_CFLAGS)
# Guest code runs from a copy of the binary at its link address.
LDFLAGS	:= -no-pie -pthread $(EXTRA_LDFLAGS)
LDLIBS	:= -lm

LIB_SRCS   := $(wildcard lib/*.c) $(wildcard lib/*.S)
LIB_OBJS   := $(patsubst %,$(O)/%.o,$(basename $(LIB_SRCS)))
TEST_SRCS  := $(wildcard tests/*.c)
BENCH_SRCS := $(wildcard bench/*.c)
TOOL_SRCS  := $(wildcard tools/*.c)
TESTS	   := $(patsubst tests/%.c,$(O)/tests/%,$(TEST_SRCS))
# End-to-end checks over the built programs (host state, output paths):
# run by make check on this host, not copied into vmcheck guests.
TEST_SCRIPTS := $(wildcard tests/*.sh)
BENCHES	   := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRCS))
TOOLS	   := $(patsubst tools/%.c,$(O)/tools/%,$(TOOL_SRCS))
LIBGMEM	   := $(O)/libgmem.a

all: $(TESTS) $(BENCHES) $(TOOLS)

# Code that runs in guests: no SSE (see GUEST_CODE_BEGIN in ucall.h).
GUEST_CFLAGS := -mgeneral-regs-only
$(O)/lib/string_override.o: CFLAGS += $(GUEST_CFLAGS) -fno-builtin \
	-fno-tree-loop-distribute-patterns
$(O)/lib/ucall.o $(O)/lib/guest_ops.o $(O)/lib/coco_guest.o \
$(O)/lib/coco.o: CFLAGS += $(GUEST_CFLAGS)
# Results name the suite revision they were measured with; rev.h is
# rewritten only when the revision changes, so nothing relinks for nothing.
REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(shell mkdir -p $(O) && \
	echo '#define GMEMSUITE_REV "$(REV)"' >$(O)/rev.h.tmp && \
	(cmp -s $(O)/rev.h.tmp $(O)/rev.h || mv $(O)/rev.h.tmp $(O)/rev.h); \
	rm -f $(O)/rev.h.tmp)
$(O)/lib/bench.o: $(O)/rev.h
$(O)/lib/bench.o: CFLAGS += -include $(O)/rev.h

$(O)/%.o: %.c | headers
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(O)/%.o: %.S
	@mkdir -p $(dir $@)
	$(call msg,AS,$@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(LIBGMEM): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

# --whole-archive: string_override.o must always override libc's copies.
define link
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -Wl,--whole-archive $(LIBGMEM) -Wl,--no-whole-archive $(LDLIBS)
endef
$(O)/tests/%: $(O)/tests/%.o $(LIBGMEM)
	$(link)
$(O)/bench/%: $(O)/bench/%.o $(LIBGMEM)
	$(link)
$(O)/tools/%: $(O)/tools/%.o $(LIBGMEM)
	$(link)

# <linux/kvm.h> comes from linux-libc-dev; install it when missing.
headers:
	@command -v $(CC) >/dev/null && test -f /usr/include/linux/kvm.h || \
		scripts/ensure-deps build

check: all
	scripts/run-tests $(TESTS) $(TEST_SCRIPTS)

bench: all
	scripts/bench

# make plots RUN=results/<run>: redraw a run's plots from its JSON.
plots: all
	@test -n "$(RUN)" || { echo "make plots RUN=DIR" >&2; exit 2; }
	$(O)/tools/results summary $(RUN)
	scripts/plots $(RUN)

# make compare A=run B=run [FAIL_PCT=5]
compare: all
	@test -n "$(A)" -a -n "$(B)" || { echo "make compare A=DIR B=DIR" >&2; exit 2; }
	$(O)/tools/results compare $(A) $(B) $(if $(FAIL_PCT),--fail-on-regression $(FAIL_PCT))

report: $(O)/tools/host_report
	$(O)/tools/host_report

# VMCHECK_ARGS: e.g. --kernel /boot/vmlinuz-X --modules DIR, --cmdline "...".
# SERIES=PATH [BASE=X.Y]: a kernel with a posted series applied (mbox or
# patch directory, scripts/build-kernel --series), its KVM selftests too.
vmcheck: all
	scripts/vmcheck-suite $(if $(SERIES),--series $(SERIES)) \
		$(if $(BASE),--base $(BASE)) $(VMCHECK_ARGS) -- $(TESTS)

# make mutate [MUTATE_ARGS="--base 7.2 --series DIR --only GLOB"]: the
# suite against kernel/mutants/ (scripts/mutate --help).
mutate: all
	scripts/mutate $(MUTATE_ARGS)

INSTALL_PATH ?= $(O)/install
install: all
	scripts/install-kselftest $(INSTALL_PATH) $(TESTS)

clean:
	rm -rf $(O)

.PHONY: plots compare all check bench report vmcheck mutate install clean headers
.SECONDARY:
-include $(shell find $(O) -name '*.d' 2>/dev/null)
