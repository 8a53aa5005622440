// SPDX-License-Identifier: GPL-2.0
/*
 * results: read benchmark JSON back.
 *
 *   results summary DIR [--force]  write DIR/summary.md (and print it)
 *   results plots DIR [--force]    write DIR/plots/NAME.dat and NAME.gp,
 *                                  each plot's data and drawing (plots.c;
 *                                  plotdata: the same, its former name)
 *
 * Every field a command reads is checked when a document is loaded
 * (present, a number where one is meant, finite, within a plausible
 * range, p50 <= p90 <= p99 <= max): a document that fails is refused in
 * one line naming the file and the field.  The runs of one directory
 * must share kernel, CPU and emulated flag, and the runs of one
 * configuration its size, passes and sampling batch: a mix is refused
 * unless --force (then a warning names it).
 *   results compare A B [--stat untimed|mean|p50|p90|p99] [--alpha X]
 *                       [--drift PROFILE|PCT]
 *                       [--fail-on-regression PCT] [--across-kernels]
 *                       [--force] [--tsv]
 *   results drift COMPARE_TSV...   a drift profile from A/A pairs
 *   results mdc SD_PCT [ALPHA]     the smallest change compare can call
 *                                  for 2..10 runs a side, per-run sd given
 *   results attach-perf RESULT.json PERF.csv
 *                                  add `perf stat -x,` counts to a result
 *   results export DIR [--format lines|json-lines]
 *                                  one metric per line, with provenance
 *
 * A directory holds one document per run of a configuration
 * (scripts/bench's NAME-runK.json; older directories one NAME.json each,
 * read as one run).  Documents are grouped by what they measured (the
 * fault_bench configuration; convert_bench's VM kind, then each
 * conversion row by path, size, direction and state), never by file name.
 * summary gives, per configuration, the median over runs of each run's
 * own figure and the spread of the runs' p50; plots draw medians over
 * runs with the runs' range, the latency CCDF pools the runs'
 * histograms, and the split plot is the first run's.
 *
 * compare decides on runs, not samples: what varies between two runs of
 * the same binary is the run (the VM, where its memory landed, the
 * host's state), so the tens of thousands of samples of one run are not
 * independent evidence.  For each configuration and each of the per-run
 * statistics (fault_bench's untimed cost per page; the sampled mean, p50,
 * p90 and p99) it prints the change of the mean over
 * runs as a percentage of A's, its 1 - alpha interval (Welch on the
 * per-run values: Welch-Satterthwaite df, Student-t quantile), and A's
 * noise, the run-to-run relative sd (sd / mean) of A's runs.  The verdict
 * comes from one statistic (--stat; default the untimed cost for faults,
 * p50 for conversions, compare.c): "slower" or "faster"
 * only when the interval excludes 0 and |change| exceeds A's noise
 * (lib/results/samples.c run_change()); with one run on a side there is no
 * verdict.  --drift adds the host's drift between invocations (drift.c:
 * a profile from `results drift` over A/A pairs, or a percentage) to
 * the interval: each side is one invocation, and the runs of one
 * invocation share its offset, so Welch on the runs alone is too narrow
 * on a host whose invocations differ.  The per-sample distributions (pooled over runs) are printed
 * for reading, with Welch's p treating samples as independent, marked
 * informational.  --fail-on-regression PCT exits 1 when a "slower"
 * verdict's interval lower bound exceeds PCT percent.  --tsv prints one
 * tab-separated line per configuration and statistic instead (for
 * scripts/calibrate-compare).  Both runs' host, kernel, CPU, suite
 * revision and emulated flag come first; no verdict (exit 2) when one
 * run is emulated and the other is not, or the CPUs differ, unless
 * --force, or the kernels differ, unless --across-kernels (or --force),
 * or a configuration both ran was sampled with another size, pass count,
 * guest page size, backing or batch, unless --force.
 * Malformed or mismatched input: a one-line error and exit 2.
 */

#include <stdlib.h>
#include <string.h>

#include "results.h"

const char *prog = "results";
bool force_mixed;
bool export_mixed;

void __noreturn die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(2);
}

#define USAGE "usage: results summary DIR | plots DIR\n" \
	"       results compare A B [--stat untimed|mean|p50|p90|p99] " \
	"[--alpha X]\n" \
	"                          [--drift PROFILE|PCT] " \
	"[--fail-on-regression PCT]\n" \
	"                          " \
	"[--across-kernels] [--force] [--tsv]\n" \
	"       results drift COMPARE_TSV... (a drift profile from A/A " \
	"pairs)\n" \
	"       results mdc SD_PCT [ALPHA]\n" \
	"       results attach-perf RESULT.json PERF.csv\n" \
	"       results export DIR [--format lines|json-lines]\n" \
	"compare decides on runs (make bench RUNS=N): per configuration, " \
	"the change of\neach per-run statistic with its 1 - alpha " \
	"interval (Welch on runs) and\nA's noise, the relative sd of its " \
	"runs; \"slower\"/\"faster\" (--stat; default\nuntimed for " \
	"faults, p50 for conversions) only when\nthe interval excludes 0 " \
	"and the change exceeds the noise.\n" \
	"--drift: the host's drift between invocations widens the interval " \
	"(a profile\nfrom results drift, scripts/calibrate-compare, or a " \
	"percentage).\n" \
	"--fail-on-regression PCT: exit 1 when a slower verdict's " \
	"interval lower bound\nexceeds PCT.\n"

int main(int argc, char **argv)
{
	if ((argc == 3 || (argc == 4 && !strcmp(argv[3], "--force"))) &&
	    (!strcmp(argv[1], "summary") || !strcmp(argv[1], "plots") ||
	     !strcmp(argv[1], "plotdata"))) {
		force_mixed = argc == 4;
		return !strcmp(argv[1], "summary") ? cmd_summary(argv[2]) :
		       cmd_plots(argv[2], force_mixed);
	}
	if (argc >= 2 && !strcmp(argv[1], "compare"))
		return cmd_compare(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "drift"))
		return cmd_drift(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "mdc"))
		return cmd_mdc(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "export"))
		return cmd_export(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "attach-perf"))
		return cmd_attach_perf(argv[2], argv[3]);
	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		printf("%s", USAGE);
		return 0;
	}
	fprintf(stderr, "%s", USAGE);
	return 2;
}

