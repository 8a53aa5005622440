/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small KTAP harness in the manner of kselftest_harness.h.
 *
 * Each case runs in a forked child so that a failed assertion, a crash or
 * a hang ends that case alone.  The child leads its own process group;
 * when it ends (any verdict), whatever is left of the group is killed and
 * every process of the case, grandchildren included (the harness is
 * their subreaper), is reaped before the verdict is printed, so that a
 * case's helpers never outlive it, never keep the runner's output pipe
 * open, and their hugetlb claims are released (lib/kvm/hoststate.c's
 * guardian sees them go) before the next case.  The child's exit status is the verdict
 * (0 pass, 1 fail, 4 skip with its reason).  A failure that matches the
 * known-issues file for this kernel is reported as XFAIL with its
 * evidence (the failure output stays in the log).
 */
#ifndef GMEM_KTAP_H
#define GMEM_KTAP_H

#include <stdbool.h>
#include <stddef.h>

#include "vm_kind.h"

struct ktap_case {
	const char *name;
	void (*fn)(void);
	unsigned int timeout_s;		/* 0: the harness default */
	bool hidden;			/* run only when -t names it exactly */
};

#define KTAP_CASE(fn)		{ #fn, fn, 0, false }
#define KTAP_CASE_T(fn, t)	{ #fn, fn, t, false }
/* A case other cases run on purpose (e.g. one that fails): never listed. */
#define KTAP_CASE_HIDDEN(fn)	{ #fn, fn, 0, true }

/*
 * Parse -l/--list, -t/--test NAME (repeatable), -h/--help; run the cases;
 * print KTAP; return the kselftest exit status (0, 1 or 4).
 */
int ktap_main(int argc, char **argv, const struct ktap_case *cases,
	      unsigned int nr_cases);

/*
 * The VM kind the run asked for with --vm-type (sw_protected unless
 * given): what a case that needs private memory creates.
 */
enum vm_kind ktap_vm_kind(void);
/*
 * True when --vm-type was given: every case must then run on that kind
 * (a case that created no VM of it is reported as a skip).
 */
bool ktap_vm_kind_given(void);

/* Set by ktap_main: true inside a case's child process. */
extern int ktap_in_case;
/* Record the skip reason of the current case. */
void ktap_set_skip_reason(const char *reason);
/* Run fn in a child of the case: its status (0/1/4), a skip's reason. */
int ktap_subcase(void (*fn)(void), char *why, size_t len);

#endif /* GMEM_KTAP_H */
