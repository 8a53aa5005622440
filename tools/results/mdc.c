// SPDX-License-Identifier: GPL-2.0
/*
 * results mdc SD_PCT [ALPHA]: how small a change compare can call, from
 * the run-to-run sd alone (formula and simulation).
 */
#include <math.h>
#include <stdlib.h>

#include "results.h"
#include "samples.h"

/*
 * The smallest change compare can call, per number of runs a side, for
 * a per-run statistic with relative sd SD_PCT (lib/results/samples.c
 * min_detectable_change_pct()).
 */
#define SIM_POWER	0.9
#define SIM_TRIALS	4000

int cmd_mdc(int argc, char **argv)
{
	double sd, alpha = 0.05, ci, noise;
	unsigned int n;
	char *end;

	if (argc < 1 || argc > 2)
		die("usage: results mdc SD_PCT [ALPHA]%s%s", "", "");
	sd = strtod(argv[0], &end);
	if (end == argv[0] || *end || !(sd >= 0) || isinf(sd))
		die("mdc: '%s' is not a percentage%s", argv[0], "");
	if (argc == 2) {
		alpha = strtod(argv[1], &end);
		if (end == argv[1] || *end || !(alpha > 0) || alpha >= 1)
			die("mdc: alpha '%s' is not in (0, 1)%s", argv[1], "");
	}
	printf("# smallest change a verdict can call with per-run sd %.3f%%,"
	       " alpha %g:\n# max(t(1 - alpha/2, 2(N - 1)) * sqrt(2/N) * sd, "
	       "c4(N) * sd), c4(N) = expected sample sd of N normal values "
	       "/ sd (called about half the time);\n# reliable: the smallest "
	       "slowdown called in %.0f%% of %u simulated pairs of normal "
	       "runs; false_alarm: simulated A/A pairs with a verdict\n"
	       "# runs ci_half_width_pct expected_noise_pct detectable_pct "
	       "reliable_pct false_alarm_pct\n", sd, alpha, 100 * SIM_POWER,
	       SIM_TRIALS);
	for (n = 2; n <= 10; n++) {
		double m = min_detectable_change_pct(sd, n, alpha, &ci, &noise);

		printf("%u %.3f %.3f %.3f %.3f %.2f\n", n, ci, noise, m,
		       reliable_change_pct(sd, n, alpha, SIM_POWER,
					   SIM_TRIALS),
		       100 * simulated_call_rate(sd, n, alpha, 0, SIM_TRIALS,
						 true));
	}
	return 0;
}
