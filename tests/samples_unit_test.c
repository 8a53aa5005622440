// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics behind every benchmark number and every compare verdict,
 * checked against values derived independently: closed forms of Student's
 * t tail (df 1: 1 - 2 atan(t)/pi; df 2: 1 - t / sqrt(2 + t^2)), critical
 * values of standard t tables, and the worked Welch example of the
 * Wikipedia article "Welch's t-test" (A1 vs A2); the t quantile against
 * the closed forms for df 1, 2 and 4 (Hill 1970) and the normal limit;
 * the interval and every verdict of run_change() on data small enough
 * to work out by hand.
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

/*
 * Quantiles: df 1 tan(pi (p - 1/2)); df 2 (2p - 1) / sqrt(2 p (1 - p));
 * df 4 with a = 4 p (1 - p), q = cos(acos(sqrt(a)) / 3) / sqrt(a):
 * sign(p - 1/2) 2 sqrt(q - 1).
 */
static void t_quantile_closed_forms(void)
{
	const double ps[] = { 0.001, 0.025, 0.1, 0.3, 0.5, 0.6, 0.9, 0.975,
			      0.995, 0.9995 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ps); i++) {
		double p = ps[i], a = 4 * p * (1 - p);
		double q = cos(acos(sqrt(a)) / 3) / sqrt(a);
		double t4 = (p > 0.5) - (p < 0.5);

		t4 *= 2 * sqrt(q - 1);
		NEAR(student_t_quantile(p, 1), tan(M_PI * (p - 0.5)),
		     1e-10 * fmax(1, fabs(tan(M_PI * (p - 0.5)))));
		NEAR(student_t_quantile(p, 2),
		     (2 * p - 1) / sqrt(2 * p * (1 - p)), 1e-10);
		NEAR(student_t_quantile(p, 4), t4, 1e-10);
	}
	/* The normal limit; non-integer df between its neighbours. */
	NEAR(student_t_quantile(0.975, 1e7), 1.959964, 1e-6);
	NEAR(student_t_quantile(0.975, 4), 2.776445105, 1e-9);
	TEST_ASSERT(student_t_quantile(0.975, 4.5) < 2.776445105 &&
		    student_t_quantile(0.975, 4.5) > 2.570581836,
		    "t(0.975, 4.5) = %.9f, expected between t(5) and t(4)",
		    student_t_quantile(0.975, 4.5));
	TEST_ASSERT(isnan(student_t_quantile(0, 3)) &&
		    isnan(student_t_quantile(1, 3)) &&
		    isnan(student_t_quantile(0.5, 0)),
		    "quantile outside 0 < p < 1, df > 0 is NAN");
}

/*
 * {1, 2, 3}: var 1, n 3; {2, 4, 6, 8}: var 20/3, n 4.  v1 = 1/3,
 * v2 = 5/3: df = 2^2 / ((1/3)^2 / 2 + (5/3)^2 / 3) = 4 / (53/54) = 216/53.
 */
static void welch_df_hand_example(void)
{
	NEAR(welch_df(1, 3, 20.0 / 3, 4), 216.0 / 53, 1e-12);
	/* Equal variances and sizes: n1 + n2 - 2. */
	NEAR(welch_df(2, 5, 2, 5), 8, 1e-12);
	/* One side constant: the other side's n - 1. */
	NEAR(welch_df(0, 3, 4, 6), 5, 1e-12);
	NEAR(welch_df(0, 3, 0, 6), 7, 0);
}

/*
 * A {10, 11, 12}, B {12, 13, 14}: means 11, 13, variances 1 and 1;
 * se = sqrt(1/3 + 1/3), df = (2/3)^2 / (2 (1/3)^2 / 2) = 4,
 * t(0.975, 4) = 2.776445105: 2 +- 2.266957
 */
static void mean_diff_ci_hand_example(void)
{
	const double a[] = { 10, 11, 12 }, b[] = { 12, 13, 14 };
	const double half = 2.776445105 * sqrt(2.0 / 3);
	struct mean_diff d;

	mean_diff_ci(a, 3, b, 3, 0.05, &d);
	NEAR(d.diff, 2, 1e-12);
	NEAR(d.se, sqrt(2.0 / 3), 1e-12);
	NEAR(d.df, 4, 1e-12);
	NEAR(d.lo, 2 - half, 1e-8);
	NEAR(d.hi, 2 + half, 1e-8);
	/* alpha 0.10: t(0.95, 4) = 2.131846786. */
	mean_diff_ci(a, 3, b, 3, 0.10, &d);
	NEAR(d.hi, 2 + 2.131846786 * sqrt(2.0 / 3), 1e-8);
	mean_diff_ci(a, 1, b, 3, 0.05, &d);
	TEST_ASSERT(isnan(d.lo) && isnan(d.hi), "one value: no interval");
}

#define RUN_CHANGE(a, b, c)						\
	run_change(a, ARRAY_SIZE(a), b, ARRAY_SIZE(b), 0.05, c)
#define EXPECT_VERDICT(c, v)						\
	TEST_ASSERT((c)->verdict == (v), "verdict %s, expected %s "	\
		    "(change %.3f%% [%.3f, %.3f], noise %.3f%%)",	\
		    verdict_name((c)->verdict), verdict_name(v),	\
		    (c)->change_pct, (c)->lo_pct, (c)->hi_pct,		\
		    (c)->noise_pct)

static void verdict_each_branch(void)
{
	const double a3[] = { 100, 101, 99 }, b3[] = { 110, 111, 109 };
	const double one[] = { 105 };
	/* Interval spans 0: the hand example above, as percent of 11. */
	const double sa[] = { 10, 11, 12 }, sb[] = { 12, 13, 14 };
	/*
	 * Below noise: A alternates 90/110 over 10 runs (sd sqrt(1000/9)
	 * = 10.541 on a mean of 100: noise 10.541%); B alternates 108/109
	 * (variance 0.25 * 10/9).  se = sqrt(111.11/10 + 0.2778/10) =
	 * 3.3375, df 9.04, half-width 7.55: the interval [0.95, 16.05]
	 * excludes 0, the change 8.5% does not exceed the noise.
	 */
	const double na[] = { 90, 110, 90, 110, 90, 110, 90, 110, 90, 110 };
	const double nb[] = { 108, 109, 108, 109, 108, 109, 108, 109, 108,
			      109 };
	struct run_change c;

	RUN_CHANGE(one, b3, &c);
	EXPECT_VERDICT(&c, VERDICT_NONE_ONE_RUN);
	NEAR(c.change_pct, 100.0 * (110 - 105) / 105, 1e-9);
	RUN_CHANGE(a3, one, &c);
	EXPECT_VERDICT(&c, VERDICT_NONE_ONE_RUN);

	RUN_CHANGE(sa, sb, &c);
	EXPECT_VERDICT(&c, VERDICT_NONE_CI_SPANS_ZERO);
	NEAR(c.change_pct, 200.0 / 11, 1e-9);
	NEAR(c.lo_pct, 100 * (2 - 2.776445105 * sqrt(2.0 / 3)) / 11, 1e-7);
	NEAR(c.hi_pct, 100 * (2 + 2.776445105 * sqrt(2.0 / 3)) / 11, 1e-7);
	NEAR(c.noise_pct, 100.0 / 11, 1e-9);

	RUN_CHANGE(na, nb, &c);
	EXPECT_VERDICT(&c, VERDICT_NONE_BELOW_NOISE);
	NEAR(c.noise_pct, sqrt(1000.0 / 9), 1e-9);
	NEAR(c.change_pct, 8.5, 1e-9);
	TEST_ASSERT(c.lo_pct > 0, "interval [%.3f, %.3f] should exclude 0",
		    c.lo_pct, c.hi_pct);

	/* 10% slower: 10 +- 2.266957 (df 4), noise 1% (sd 1 on 100). */
	RUN_CHANGE(a3, b3, &c);
	EXPECT_VERDICT(&c, VERDICT_SLOWER);
	NEAR(c.change_pct, 10, 1e-9);
	NEAR(c.lo_pct, 10 - 2.776445105 * sqrt(2.0 / 3), 1e-7);
	NEAR(c.hi_pct, 10 + 2.776445105 * sqrt(2.0 / 3), 1e-7);
	NEAR(c.noise_pct, 1, 1e-9);
	NEAR(c.df, 4, 1e-12);

	/* The other way round: -10 on A's mean of 110. */
	RUN_CHANGE(b3, a3, &c);
	EXPECT_VERDICT(&c, VERDICT_FASTER);
	NEAR(c.change_pct, -1000.0 / 110, 1e-9);
	NEAR(c.hi_pct, 100 * (-10 + 2.776445105 * sqrt(2.0 / 3)) / 110,
	     1e-7);

	/* Identical runs: change 0, interval [0, 0] holds 0. */
	RUN_CHANGE(a3, a3, &c);
	EXPECT_VERDICT(&c, VERDICT_NONE_CI_SPANS_ZERO);
}

/*
 * c4(2) = sqrt(2/pi), c4(3) = sqrt(pi)/2 (closed forms), c4(5) =
 * 0.9400 (control-chart tables); the detectable change is the larger of
 * t sqrt(2/n) sd and c4(n) sd.
 */
static void sd_factor_and_detectable_change(void)
{
	double ci, noise;

	NEAR(normal_sd_factor(2), sqrt(2 / M_PI), 1e-12);
	NEAR(normal_sd_factor(3), sqrt(M_PI) / 2, 1e-12);
	NEAR(normal_sd_factor(5), 0.9400, 5e-5);
	NEAR(normal_sd_factor(1), 0, 0);
	/* n 3: t(0.975, 4) sqrt(2/3) = 2.2670 > c4(3) = 0.8862. */
	NEAR(min_detectable_change_pct(1, 3, 0.05, &ci, &noise),
	     2.776445105 * sqrt(2.0 / 3), 1e-7);
	NEAR(noise, sqrt(M_PI) / 2, 1e-9);
	/* n 5: t(0.975, 8) sqrt(2/5) = 1.4584 > c4(5) = 0.94. */
	NEAR(min_detectable_change_pct(2, 5, 0.05, &ci, &noise),
	     2 * 2.306004135 * sqrt(2.0 / 5), 1e-7);
	NEAR(noise, 2 * normal_sd_factor(5), 1e-12);
	TEST_ASSERT(isnan(min_detectable_change_pct(1, 1, 0.05, NULL, NULL)),
		    "one run: no detectable change");
}

/*
 * The simulated verdicts: with normal runs and no change the verdict
 * fires at most alpha of the time (Welch's interval has level 1 - alpha,
 * the noise gate only removes calls; 4000 pairs: the binomial sd at 5%
 * is 0.34%, so 6% is 3 sd); the rate grows with the change; the
 * reliably detected change lies above the half-the-time one and falls
 * with more runs; the same call gives the same answer (a fixed stream).
 */
static void simulated_verdicts(void)
{
	double r0 = simulated_call_rate(2, 3, 0.05, 0, 4000, true);
	double r3, r5;

	TEST_ASSERT(r0 <= 0.06, "A/A call rate %.4f over alpha 0.05", r0);
	TEST_ASSERT(simulated_call_rate(2, 3, 0.05, 4, 4000, false) <
		    simulated_call_rate(2, 3, 0.05, 8, 4000, false),
		    "the call rate does not grow with the change");
	TEST_ASSERT(simulated_call_rate(2, 3, 0.05, 50, 4000, false) > 0.99,
		    "a change of 25 sd is not called");
	r3 = reliable_change_pct(2, 3, 0.05, 0.9, 4000);
	r5 = reliable_change_pct(2, 5, 0.05, 0.9, 4000);
	TEST_ASSERT(r3 > min_detectable_change_pct(2, 3, 0.05, NULL, NULL),
		    "reliable %.3f%% below the half-the-time change", r3);
	TEST_ASSERT(r5 < r3, "5 runs (%.3f%%) no better than 3 (%.3f%%)",
		    r5, r3);
	NEAR(reliable_change_pct(2, 3, 0.05, 0.9, 4000), r3, 0);
	TEST_ASSERT(simulated_call_rate(2, 3, 0.05, r3, 4000, false) >= 0.9,
		    "at the reliable change %.3f%% the call rate is under 90%%",
		    r3);
	TEST_ASSERT(isnan(simulated_call_rate(2, 1, 0.05, 0, 10, true)),
		    "one run simulated");
}

/*
 * The invocation drift in the interval, by hand: a3 against b3 above
 * (10% slower, each side's variance 1 over 3 runs) with a drift of 5%
 * of A's mean of 100: the variance of the change gains 2 * 5^2 = 50.
 * Known exactly (df 0), Satterthwaite's df is (2/3 + 50)^2 / (2 (1/3)^2
 * / 2) = 23104; estimated from 10 pairs it is (2/3 + 50)^2 / (1/9 +
 * 2500/10).  Either way 10% is no longer told from two invocations'
 * offsets.  No drift (NULL or 0) is run_change() exactly.
 */
static void drift_in_interval_hand_example(void)
{
	const double a3[] = { 100, 101, 99 }, b3[] = { 110, 111, 109 };
	struct drift known = { 5, 0 }, est = { 5, 10 }, none = { 0, 10 };
	double v = 2.0 / 3 + 50, t;
	struct run_change c, plain;

	run_change_drift(a3, 3, b3, 3, 0.05, &known, &c);
	NEAR(c.df, v * v / (1.0 / 9), 1e-6);
	t = student_t_quantile(0.975, c.df);
	NEAR(c.lo_pct, 10 - t * sqrt(v), 1e-7);
	NEAR(c.hi_pct, 10 + t * sqrt(v), 1e-7);
	NEAR(c.drift_pct, 5, 0);
	EXPECT_VERDICT(&c, VERDICT_NONE_CI_SPANS_ZERO);

	run_change_drift(a3, 3, b3, 3, 0.05, &est, &c);
	NEAR(c.df, v * v / (1.0 / 9 + 2500.0 / 10), 1e-9);
	t = student_t_quantile(0.975, c.df);
	NEAR(c.hi_pct, 10 + t * sqrt(v), 1e-7);
	EXPECT_VERDICT(&c, VERDICT_NONE_CI_SPANS_ZERO);

	RUN_CHANGE(a3, b3, &plain);
	run_change_drift(a3, 3, b3, 3, 0.05, &none, &c);
	NEAR(c.lo_pct, plain.lo_pct, 0);
	NEAR(c.df, plain.df, 0);
	NEAR(c.drift_pct, 0, 0);
	EXPECT_VERDICT(&c, VERDICT_SLOWER);

	/* A drift of 0.1% leaves a 10% change called. */
	known.pct = 0.1;
	run_change_drift(a3, 3, b3, 3, 0.05, &known, &c);
	EXPECT_VERDICT(&c, VERDICT_SLOWER);
}

/*
 * drift_estimate() by hand: changes +-10 and +-14 with se 2 each:
 * mean(change^2) = 148, minus se^2 = 144, halved 72: drift sqrt(72).
 * Changes within their own se give 0; non-finite rows are left out.
 */
static void drift_estimate_hand_example(void)
{
	const double ch[] = { 10, -10, 14, -14, NAN }, se[] = { 2, 2, 2, 2, 1 };
	const double small[] = { 1, -1 }, se_small[] = { 3, 3 };
	const double bad[] = { NAN }, se_bad[] = { 1 };
	struct drift d;

	TEST_ASSERT(!drift_estimate(ch, se, 5, &d), "no estimate");
	NEAR(d.pct, sqrt(72), 1e-12);
	NEAR(d.df, 4, 0);
	TEST_ASSERT(!drift_estimate(small, se_small, 2, &d), "no estimate");
	NEAR(d.pct, 0, 0);
	TEST_ASSERT(drift_estimate(bad, se_bad, 1, &d) == -1,
		    "an estimate from no usable pair");
}

/*
 * Simulated invocations with an offset each (sd 6%, runs 2%): judged
 * without the drift the A/A rate is far over alpha (the runs of one
 * invocation agree, the invocations do not); judged with it, known or
 * estimated from 20 pairs, it is at most alpha (6%: 3 binomial sd over
 * 5% at 4000 pairs).  A change of 8 drift sds is still called.
 */
static void simulated_drift_verdicts(void)
{
	struct drift known = { 6, 0 }, est = { 6, 20 };
	double blind, with, with_est, power;

	blind = simulated_call_rate_drift(2, 6, NULL, 5, 0.05, 0, 4000, true);
	with = simulated_call_rate_drift(2, 6, &known, 5, 0.05, 0, 4000,
					 true);
	with_est = simulated_call_rate_drift(2, 6, &est, 5, 0.05, 0, 4000,
					     true);
	power = simulated_call_rate_drift(2, 6, &est, 5, 0.05, 48, 4000,
					  false);
	TEST_ASSERT(blind > 0.3, "A/A rate %.4f without the drift term: "
		    "the simulated drift did not show", blind);
	TEST_ASSERT(with <= 0.06, "A/A rate %.4f with the drift known", with);
	TEST_ASSERT(with_est <= 0.06, "A/A rate %.4f with the drift from 20 "
		    "pairs", with_est);
	TEST_ASSERT(power >= 0.9, "48%% slower called %.4f of the time",
		    power);
	NEAR(simulated_call_rate_drift(2, 0, NULL, 3, 0.05, 4, 4000, false),
	     simulated_call_rate(2, 3, 0.05, 4, 4000, false), 0);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_tail_closed_forms),
	KTAP_CASE(t_table_critical_values),
	KTAP_CASE(welch_wikipedia_example),
	KTAP_CASE(welch_degenerate),
	KTAP_CASE(percentiles_and_moments),
	KTAP_CASE(histogram_buckets),
	KTAP_CASE(t_quantile_closed_forms),
	KTAP_CASE(welch_df_hand_example),
	KTAP_CASE(mean_diff_ci_hand_example),
	KTAP_CASE(verdict_each_branch),
	KTAP_CASE(sd_factor_and_detectable_change),
	KTAP_CASE(simulated_verdicts),
	KTAP_CASE(drift_in_interval_hand_example),
	KTAP_CASE(drift_estimate_hand_example),
	KTAP_CASE(simulated_drift_verdicts),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
