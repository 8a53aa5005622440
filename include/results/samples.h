/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency samples and their statistics: mean, stddev, percentiles, a
 * log-bucketed histogram (for plots and JSON), Welch's t-test, and the
 * run-level statistics behind `results compare`'s verdict (Student-t
 * quantile, confidence interval of a difference of means, the verdict).
 * Pure code, unit-tested in tests/stats_unit_test.
 */
#ifndef GMEM_SAMPLES_H
#define GMEM_SAMPLES_H

#include <stdbool.h>

#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct sample_stats {
	uint64_t n;
	double mean, stddev, min, max;
	double p50, p90, p99, p999;
};

/* Sorts v in place (n values) and fills s; n == 0 gives zeros. */
void stats_compute(double *v, size_t n, struct sample_stats *s);
/* Percentile q (0..1) of sorted values, linear interpolation. */
double stats_percentile(const double *sorted, size_t n, double q);

/*
 * Log-bucketed histogram: HIST_PER_DECADE buckets per power of ten
 * between 1 ns and 10 s; values outside land in the first/last bucket.
 */
#define HIST_PER_DECADE	20
#define HIST_DECADES	10
#define HIST_BUCKETS	(HIST_PER_DECADE * HIST_DECADES)

struct histogram {
	uint64_t count[HIST_BUCKETS];
};

void hist_add(struct histogram *h, double ns);
/* Lower edge of bucket i in ns. */
double hist_bucket_lo(unsigned int i);
void hist_to_json(const struct histogram *h, struct json *j, const char *key);
void stats_to_json(const struct sample_stats *s, struct json *j,
		   const char *key);

/*
 * Welch's unequal-variance t-test on two samples given by mean, stddev
 * (sample, n-1) and n.  Returns the two-sided p-value; *t and *df (may be
 * NULL) receive the statistic and the Welch-Satterthwaite degrees of
 * freedom.  p is 1 when both variances are zero and the means equal, 0
 * when they differ.
 */
double welch_p(double m1, double s1, double n1, double m2, double s2,
	       double n2, double *t, double *df);
/* Two-sided tail of Student's t distribution: P(|T| > |t|). */
double student_t_two_sided(double t, double df);
/*
 * Student's t quantile: t with P(T <= t) = p, any df > 0 (not only
 * integers), to 1e-10; NAN outside 0 < p < 1, df > 0.
 */
double student_t_quantile(double p, double df);
/*
 * Welch-Satterthwaite degrees of freedom of the difference of two means,
 * from the sample variances (n-1) and sizes; n1 + n2 - 2 when both
 * variances are zero.
 */
double welch_df(double var1, double n1, double var2, double n2);

/*
 * Confidence interval (level 1 - alpha) of mean(b) - mean(a) for two
 * small samples with unequal variances: Welch's standard error, the
 * Welch-Satterthwaite df and a Student-t quantile.  With fewer than two
 * values on a side, se, df, t, lo and hi are NAN.
 */
struct mean_diff {
	double mean_a, mean_b, diff, se, df, t, lo, hi;
};
void mean_diff_ci(const double *a, size_t na, const double *b, size_t nb,
		  double alpha, struct mean_diff *d);

/*
 * The compare verdict on per-run values of one statistic (a time: lower
 * is better) of runs A and B, in order of the checks:
 *   NONE_ONE_RUN        fewer than 2 runs on a side: no interval;
 *   NONE_CI_SPANS_ZERO  the 1 - alpha interval of the change holds 0
 *                       (also when A's mean is not positive: no scale);
 *   NONE_BELOW_NOISE    |change| <= A's noise, the run-to-run relative
 *                       sd of A's runs: 100 sd / mean (n - 1);
 *   SLOWER, FASTER      otherwise, by the sign of the change.
 * Percentages are of A's mean; lo_pct/hi_pct bound the change.
 */
enum run_verdict {
	VERDICT_NONE_ONE_RUN,
	VERDICT_NONE_CI_SPANS_ZERO,
	VERDICT_NONE_BELOW_NOISE,
	VERDICT_SLOWER,
	VERDICT_FASTER,
};

/*
 * The drift between invocations on a host: the sd of one invocation's
 * mean around the host's true mean, as a percent of the mean, that the
 * runs of one invocation cannot show (they share it).  Estimated from
 * A/A pairs (drift_estimate()), with df their number; df <= 0 means
 * known exactly.
 */
struct drift {
	double pct, df;
};

struct run_change {
	double mean_a, mean_b, df;
	double change_pct, lo_pct, hi_pct, noise_pct;
	double drift_pct;	/* what the interval took in, 0 if none */
	enum run_verdict verdict;
};
void run_change(const double *a, size_t na, const double *b, size_t nb,
		double alpha, struct run_change *c);
/*
 * The same with A's and B's invocation offsets in the interval: the
 * variance of the change gains 2 (drift mean_a)^2, its df follows
 * Satterthwaite over the three terms.  drift NULL or 0: run_change().
 */
void run_change_drift(const double *a, size_t na, const double *b,
		      size_t nb, double alpha, const struct drift *drift,
		      struct run_change *c);
/* The same from each side's mean and sample variance (n - 1). */
void run_change_summary(double mean_a, double var_a, size_t na,
			double mean_b, double var_b, size_t nb, double alpha,
			const struct drift *drift, struct run_change *c);
/*
 * Drift from n A/A pairs: each pair's change (percent of A) and the
 * standard error of that change from its runs alone (percent of A).
 * An A/A change has E[change^2] = 2 drift^2 + se^2, so
 * drift = sqrt(max(0, mean(change^2 - se^2)) / 2), df = pairs used
 * (non-finite entries are left out).  -1 when none is usable.
 */
int drift_estimate(const double *change_pct, const double *se_pct,
		   size_t n, struct drift *d);
const char *verdict_name(enum run_verdict v);
/* The same as one word for tab-separated output (none-one-run, ...). */
const char *verdict_key(enum run_verdict v);

/* c4(n): E[sample sd] / sd for n normal values (0 for n < 2). */
double normal_sd_factor(unsigned int n);
/*
 * Smallest change (percent) run_change() can call with `runs` runs a
 * side when the per-run statistic has relative sd rel_sd_pct on both
 * sides: the larger of the expected interval half-width,
 * t(1 - alpha/2, 2(runs - 1)) sqrt(2/runs) sd, and the expected noise,
 * c4(runs) sd.  Both terms are returned too (may be NULL).  NAN for
 * runs < 2.
 */
double min_detectable_change_pct(double rel_sd_pct, unsigned int runs,
				 double alpha, double *ci_pct,
				 double *noise_pct);

/*
 * Monte Carlo of run_change() (a fixed pseudo-random stream: the same
 * answer every call): A's runs ~ N(100, sd), B's ~ N(100 + change,
 * sd relative); the fraction of `trials` pairs called SLOWER (or, with
 * any_verdict, SLOWER or FASTER: at change 0 the false-alarm rate).
 */
#define SIM_MAX_RUNS	100
double simulated_call_rate(double rel_sd_pct, unsigned int runs,
			   double alpha, double change_pct,
			   unsigned int trials, bool any_verdict);
/*
 * The same where each side's runs also share an invocation offset of sd
 * drift_pct (each run = true value x (1 + offset) x (1 + run noise)),
 * judged by run_change_drift() with `judged` (NULL: no drift term).
 */
double simulated_call_rate_drift(double rel_sd_pct, double drift_pct,
				 const struct drift *judged, unsigned int runs,
				 double alpha, double change_pct,
				 unsigned int trials, bool any_verdict);
/*
 * The smallest true slowdown (percent) that run_change() calls SLOWER in
 * at least `power` of simulated pairs (bisection to 0.1%); INFINITY if
 * none below 10^6 %.
 */
double reliable_change_pct(double rel_sd_pct, unsigned int runs,
			   double alpha, double power, unsigned int trials);

#endif /* GMEM_SAMPLES_H */
