/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host knobs (numeric sysfs/procfs files, such as a hugetlb pool's
 * nr_hugepages) changed for a run and put back on every exit path.
 *
 * Each knob has a ledger, $GMEMSUITE_STATE_DIR (default /run/gmemsuite)
 * /<knob path with / as _>.ledger, locked with flock while read or
 * changed: the knob's original value, the head room found at the first
 * claim ("base": a pool's free pages), and every live claim (pid, process
 * start time, amount).  The knob is set to
 *	original + max(0, sum of claims - base)
 * so concurrent runs add up instead of counting the same free pages, and
 * it is back at its original value when the last claim goes.
 *
 * A claim goes when its process releases it (hoststate_release_all(): at
 * exit, on a failed assertion or a skip, on SIGINT/SIGTERM/SIGHUP), or
 * dies: a guardian process forked at the first claim, in a session of its
 * own, waits for the claimer to end (a pipe only the claimer holds) and
 * releases what it left in every ledger; and every
 * ledger access first drops claims whose process is gone (SIGKILL of both,
 * a reboot), saying so on stderr.
 */
#ifndef GMEM_HOSTSTATE_H
#define GMEM_HOSTSTATE_H

#include <stdbool.h>
#include <stdint.h>

struct knob_claim_result {
	uint64_t orig;		/* the knob before any claim */
	uint64_t target;	/* what it was set to */
	uint64_t value;		/* what it reads back */
	uint64_t others;	/* amount claimed by other live processes */
	unsigned int nr_others;
	char other_pids[96];	/* "pid 123 (6144), pid 456 (512)" */
};

/*
 * Claim amount on the knob at path for this process.  base_path (or
 * NULL: 0) is a file holding the head room, read by the first claimer
 * (for a hugetlb pool: free_hugepages).  0 with *res filled,
 * or an errno (the knob or the ledger cannot be read or written).  The
 * claim stays even when the kernel gives less than the target: the
 * caller decides (and releases).
 */
int knob_claim(const char *path, uint64_t amount, const char *base_path,
	       struct knob_claim_result *res);
/*
 * The knob's ledger as it is now, read only: its original value, the
 * value the live claims make it (knob_claim's formula), their number and
 * pid's own amount, and the knob's value read under the same lock (the
 * two agree once every claimer is done writing).  false when there is no
 * ledger (nobody claims: the knob should be at its original value).
 */
struct knob_ledger {
	uint64_t orig, base, target, mine, value;
	bool have_value;
	unsigned int nr;
};
bool knob_ledger_view(const char *path, int pid, struct knob_ledger *v);
/* Drop this process's claims on one knob / on every knob. */
void knob_release(const char *path);
void hoststate_release_all(void);

#endif /* GMEM_HOSTSTATE_H */
