/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every benchmark shares: a JSON document that can be re-read years
 * later (schema, tool, suite revision, the full host probe, whether the
 * CPU was emulated, the machine's load) and Ctrl-C that stops the sweep,
 * keeps what was measured and says so.
 */
#ifndef GMEM_BENCH_H
#define GMEM_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "kvm_util.h"
#include "probe.h"

#define BENCH_SCHEMA	1

extern volatile sig_atomic_t bench_interrupted;

/* SIGINT/SIGTERM set bench_interrupted; a second one exits at once. */
void bench_catch_signals(void);
/* True under QEMU TCG and similar: timings are functional only. */
bool bench_emulated(const struct host_probe *p);
/*
 * The --json file ("-" = stdout), written atomically: bench_check_output()
 * right after option parsing proves, before anything is measured, that a
 * file can be created beside it (one-line error and exit 2 otherwise);
 * bench_open_output() writes to a temporary file in that directory and
 * bench_close_output() renames it over the path, so a failed write never
 * leaves half a document and never loses the old one.
 */
struct bench_output {
	const char *path;
	char tmp[4096];
	FILE *f;
};
void bench_check_output(const char *prog, const char *path);
FILE *bench_open_output(const char *prog, struct bench_output *o,
			const char *path);
/* 0, or 2 after a one-line error (the data is then in o->tmp). */
int bench_close_output(const char *prog, struct bench_output *o);
/* Start the document: schema, tool, revision, time, host, load. */
void bench_json_begin(struct json *j, FILE *f, const char *tool);
/* Close it: load after, interrupted flag. */
void bench_json_end(struct json *j);
/* Parse a size option or exit 2 with a one-line error. */
uint64_t bench_parse_size(const char *prog, const char *opt,
			  const char *val);
/*
 * What a benchmark will allocate, checked against what the host can give
 * before anything is allocated: whole 4K, hugetlb and guest pages; the
 * guest's physical address space; the guest page-table pool; MemAvailable
 * (copies times for anon/shmem/guest_memfd; vm.overcommit_memory=2:
 * CommitLimit - Committed_AS); free + allocatable huge pages.  A request
 * that cannot fit exits 2 with one line naming the limit and the numbers.
 */
struct bench_fit {
	uint64_t size;
	enum backing_type backing;
	enum guest_page guest_page;
	unsigned int copies;	/* 2: shared side and guest_memfd touched */
};
void bench_check_fit(const char *prog, const char *opt,
		     const struct bench_fit *f);
/* "1.5 GiB": a size for messages (rotating static buffers). */
const char *human_size(uint64_t v);
/*
 * Progress of a pass longer than BENCH_PROGRESS_EVERY_S, on stderr every
 * that many seconds: pages done (each vCPU's guest_progress() word since
 * the start, per_tick pages per bump), the rate and the ETA.  A thread
 * of its own, outside the guest's timed loop.
 */
#define BENCH_PROGRESS_EVERY_S	10
struct bench_progress;
struct bench_progress *bench_progress_start(const char *prog,
					    const char *what, uint64_t total,
					    uint64_t per_tick,
					    struct kvm_vcpu *const *vcpus,
					    unsigned int nr);
void bench_progress_stop(struct bench_progress *p);
/*
 * The same for work the program counts itself (convert_bench: pages
 * converted): "what: done of total unit (%), rate, ETA" every
 * BENCH_PROGRESS_EVERY_S; bench_work_add() from the measuring thread.
 */
void bench_work_start(const char *prog, const char *what, const char *unit,
		      uint64_t total);
void bench_work_add(uint64_t n);
void bench_work_stop(void);
/*
 * perf counting of the measured region only.  scripts/bench PERF=1 runs
 * a benchmark under `perf stat -D -1 --control fifo:CTL,ACK` (events
 * start disabled) and names the fifos in GMEMSUITE_PERF_CTL_FIFO and
 * GMEMSUITE_PERF_ACK_FIFO; bench_perf_region(true) before the measured
 * passes and (false) after them enable and disable the counters, each
 * waiting for perf's ack, so the counts cover what the KVM stats deltas
 * cover and not VM setup and teardown.  Without the variables both are
 * no-ops.  A fifo that cannot be used: one line on stderr, and counting
 * is left as perf started it.
 */
void bench_perf_region(const char *prog, bool on);
/* What perf counted: "measured region", "not counted" (no PERF=1), ... */
const char *bench_perf_scope(void);
/* Parse an unsigned option within [lo, hi] or exit 2. */
unsigned long bench_parse_uint(const char *prog, const char *opt,
			       const char *val, unsigned long lo,
			       unsigned long hi);

#endif /* GMEM_BENCH_H */
