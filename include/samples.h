/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency samples and their statistics: mean, stddev, percentiles, a
 * log-bucketed histogram (for plots and JSON), and Welch's t-test for
 * comparing two runs.  Pure code, unit-tested in tests/stats_unit_test.
 */
#ifndef GMEM_SAMPLES_H
#define GMEM_SAMPLES_H

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

#endif /* GMEM_SAMPLES_H */
