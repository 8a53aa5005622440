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
/* Parse an unsigned option within [lo, hi] or exit 2. */
unsigned long bench_parse_uint(const char *prog, const char *opt,
			       const char *val, unsigned long lo,
			       unsigned long hi);

#endif /* GMEM_BENCH_H */
