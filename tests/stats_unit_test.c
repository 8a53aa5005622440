// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics behind every benchmark number and every compare verdict,
 * checked against values derived independently: closed forms of Student's
 * t tail (df 1: 1 - 2 atan(t)/pi; df 2: 1 - t / sqrt(2 + t^2)), critical
 * values of standard t tables, and the worked Welch example of the
 * Wikipedia article "Welch's t-test" (A1 vs A2).
 */
#include <math.h>

#include "ktap.h"
#include "samples.h"
#include "test_util.h"

#define NEAR(a, b, tol)							\
	TEST_ASSERT(fabs((a) - (b)) <= (tol), "%s = %.9g, expected %.9g "	\
		    "(+- %g)", #a, (double)(a), (double)(b), (double)(tol))

static void t_tail_closed_forms(void)
{
	const double ts[] = { 0.1, 0.5, 1, 2, 5, 30 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ts); i++) {
		double t = ts[i];

		NEAR(student_t_two_sided(t, 1), 1 - 2 * atan(t) / M_PI, 1e-10);
		NEAR(student_t_two_sided(t, 2), 1 - t / sqrt(2 + t * t), 1e-10);
		/* Symmetric in t. */
		NEAR(student_t_two_sided(-t, 7), student_t_two_sided(t, 7),
		     1e-14);
	}
	NEAR(student_t_two_sided(0, 5), 1, 1e-12);
}

/* Two-sided critical values from standard t tables (3 decimals). */
static void t_table_critical_values(void)
{
	const struct { double t, df, p; } tab[] = {
		{ 12.706, 1, 0.05 }, { 4.303, 2, 0.05 }, { 2.571, 5, 0.05 },
		{ 2.228, 10, 0.05 }, { 2.086, 20, 0.05 }, { 2.042, 30, 0.05 },
		{ 1.960, 1e7, 0.05 }, { 3.169, 10, 0.01 }, { 4.032, 5, 0.01 },
		{ 2.845, 20, 0.01 }, { 2.576, 1e7, 0.01 }, { 1.812, 10, 0.10 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tab); i++)
		NEAR(student_t_two_sided(tab[i].t, tab[i].df), tab[i].p,
		     tab[i].p * 0.01);
}

/* Wikipedia, "Welch's t-test", example A1/A2: t -2.46, df 25.0, p 0.021. */
static void welch_wikipedia_example(void)
{
	double a1[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	double a2[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	struct sample_stats s1, s2;
	double t, df, p;

	stats_compute(a1, ARRAY_SIZE(a1), &s1);
	stats_compute(a2, ARRAY_SIZE(a2), &s2);
	p = welch_p(s1.mean, s1.stddev, s1.n, s2.mean, s2.stddev, s2.n, &t,
		    &df);
	NEAR(t, -2.46, 0.005);
	NEAR(df, 25.0, 0.05);
	NEAR(p, 0.021, 0.0005);
}

static void welch_degenerate(void)
{
	NEAR(welch_p(5, 0, 10, 5, 0, 10, NULL, NULL), 1, 0);
	NEAR(welch_p(5, 0, 10, 6, 0, 10, NULL, NULL), 0, 0);
	/* Identical samples: t = 0, p = 1. */
	NEAR(welch_p(3, 1, 10, 3, 1, 10, NULL, NULL), 1, 1e-12);
}

/* 1..100: mean 50.5, sd sqrt(83325/99), linear-interpolated percentiles. */
static void percentiles_and_moments(void)
{
	double v[100];
	struct sample_stats s;
	unsigned int i;

	for (i = 0; i < 100; i++)
		v[i] = 100 - i;		/* unsorted on purpose */
	stats_compute(v, 100, &s);
	TEST_ASSERT_EQ(s.n, 100);
	NEAR(s.mean, 50.5, 1e-12);
	/* sum of squared deviations of 1..n: n(n^2 - 1)/12 = 83325. */
	NEAR(s.stddev, sqrt(83325.0 / 99), 1e-9);
	NEAR(s.min, 1, 0);
	NEAR(s.max, 100, 0);
	NEAR(s.p50, 50.5, 1e-12);
	NEAR(s.p90, 90.1, 1e-9);
	NEAR(s.p99, 99.01, 1e-9);
	NEAR(s.p999, 99.901, 1e-9);
	stats_compute(v, 1, &s);
	NEAR(s.p99, s.min, 0);
	NEAR(s.stddev, 0, 0);
}

static void histogram_buckets(void)
{
	struct histogram h = { 0 };
	unsigned int i;
	uint64_t total = 0;

	hist_add(&h, 0.5);		/* below 1 ns: first bucket */
	hist_add(&h, 1000);		/* 1 us: decade 3 */
	hist_add(&h, 1e12);		/* beyond 10 s: last bucket */
	TEST_ASSERT_EQ(h.count[0], 1);
	TEST_ASSERT_EQ(h.count[3 * HIST_PER_DECADE], 1);
	TEST_ASSERT_EQ(h.count[HIST_BUCKETS - 1], 1);
	NEAR(hist_bucket_lo(3 * HIST_PER_DECADE), 1000, 1e-9);
	for (i = 0; i < HIST_BUCKETS; i++)
		total += h.count[i];
	TEST_ASSERT_EQ(total, 3);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_tail_closed_forms),
	KTAP_CASE(t_table_critical_values),
	KTAP_CASE(welch_wikipedia_example),
	KTAP_CASE(welch_degenerate),
	KTAP_CASE(percentiles_and_moments),
	KTAP_CASE(histogram_buckets),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
