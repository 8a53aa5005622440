/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results tool's shared view of a directory of runs: documents
 * checked at load (load.c), grouped by what they measured (groups.c);
 * one file per subcommand (summary.c, plots.c, compare.c, drift.c,
 * mdc.c, perf.c) and main.c, which picks one.
 */
#ifndef GMEMSUITE_RESULTS_TOOL_H
#define GMEMSUITE_RESULTS_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "jsonread.h"
#include "test_util.h"

struct doc {
	char path[512];
	struct jnode *root;
	const char *tool;
};

/* The documents of one directory (or one file), in version order. */
struct run {
	struct doc *docs;
	unsigned int n, cap;
};

/* What a run was measured on, from its first document. */
struct run_facts {
	const char *host, *kernel, *cpu, *rev;
	bool emulated;
};

/* The documents of one configuration: its runs, in file order. */
struct group {
	char key[300];		/* what compare matches */
	char ckey[160];		/* the configuration, from the content */
	char stem[128];		/* the file name without -runK.json */
	const char *tool;
	const struct jnode **doc;
	unsigned int *idx;	/* each run's index in r->docs */
	unsigned int n;
	unsigned int first;	/* r->docs index of its first document */
};

struct groups {
	struct group *g;
	unsigned int n;
	unsigned int interrupted;	/* documents left out */
};

/*
 * A convert_bench configuration's conversion rows: every row key any
 * run has, in order of first appearance; row[k * n + i] is run i's row
 * for key k, or NULL.
 */
struct rows {
	char (*key)[96];
	const struct jnode **row;
	unsigned int nkeys, nruns;
};

extern const char *prog;
/* --force: use a directory whose runs differ (kernel, CPU, size ...). */
extern bool force_mixed;
/*
 * export: runs that differ are exported as they are, each line with its
 * own provenance and sampling (no refusal, no warning).
 */
extern bool export_mixed;

/* One line on stderr, exit 2 (fmt takes the two strings). */
void __noreturn die(const char *fmt, const char *a, const char *b);
void *xcalloc(size_t n, size_t size);

/* load.c: documents, checked when loaded. */
struct run *new_run(const char *path);
void free_run(struct run *r);
struct run_facts facts_of(const struct run *r);
void plot_title(const struct run *r, char *buf, size_t len);
bool flag(const struct jnode *n, const char *path);
const char *field_text(const struct jnode *root, const char *field,
		       char *buf, size_t len);
void check_same(const struct doc *a, const struct doc *b, const char *field,
		const char *what);

/* groups.c: documents by configuration, conversion rows by key. */
void group_run(const struct run *r, struct groups *gs, bool skip_interrupted);
void free_groups(struct groups *gs);
void runs_range(const struct groups *gs, unsigned int *lo, unsigned int *hi);
unsigned int values_of(const struct jnode *const *node, unsigned int n,
		       const char *path, double *v);
double median(double *v, unsigned int n);
double median_at(const struct jnode *const *node, unsigned int n,
		 const char *path);
double spread_at(const struct jnode *const *node, unsigned int n,
		 const char *path);
void rows_of(const struct group *g, struct rows *rs);
void free_rows(struct rows *rs);
const char *row_skipped(const struct rows *rs, unsigned int k);

/* The subcommands. */
int cmd_summary(const char *dir);
int cmd_plots(const char *dir, bool force);
int cmd_compare(int argc, char **argv);
int cmd_mdc(int argc, char **argv);
int cmd_attach_perf(const char *json_path, const char *perf_path);
int cmd_export(int argc, char **argv);
int cmd_drift(int argc, char **argv);

/* drift.c: compare --drift PROFILE|PCT. */
struct drift;
void drift_option(const char *arg);
/* --drift auto: find the profile of A's kernel and CPU (drift.c). */
void drift_resolve(const char *kernel, const char *cpu);
/* Why --drift auto found none, or NULL. */
const char *drift_auto_note(void);
bool drift_given(void);
void drift_source(const char **source, const char **kernel,
		  const char **cpu);
/* The drift for a configuration's statistic (its line, else '*'), or NULL. */
const struct drift *drift_for(const char *config, const char *metric,
			      const char *stat);

#endif
