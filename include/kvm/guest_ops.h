/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest that does what the host asks, one command at a time.
 *
 * The host writes a struct guest_cmd into a per-vCPU mailbox page (system
 * slot) and resumes the vCPU; the guest performs it on guest physical
 * addresses (identity-mapped) and answers with GUEST_SYNC_ARGS(result,
 * detail, value).  Tests then read as a script:
 *
 *	vcpu_cmd(vcpu, GOP_FILL, gpa, size, 7);
 *	vm_set_private(vm, gpa, size);
 *	TEST_ASSERT_EQ(vcpu_cmd(vcpu, GOP_CHECK, gpa, size, 7).bad, 0);
 */
#ifndef GMEM_GUEST_OPS_H
#define GMEM_GUEST_OPS_H

#include <stdint.h>

#include "kvm_util.h"

enum guest_op {
	GOP_EXIT,	/* leave the loop: GUEST_DONE */
	GOP_FILL,	/* write pattern(seed) to every word of [gpa, +size) */
	GOP_CHECK,	/* count pages whose words differ from pattern(seed) */
	GOP_READ,	/* read one u64 at gpa */
	GOP_WRITE,	/* write seed as one u64 at gpa */
	GOP_MAP_GPA,	/* KVM_HC_MAP_GPA_RANGE(gpa, size/4K, seed = attrs) */
	GOP_MAP_GPA_PAGES, /* the same with npages = size, any u64 */
	/* The VM type's whole guest-side conversion, seed = to private. */
	GOP_CONVERT,
	/* Make private memory usable (SNP PVALIDATE, TDX ACCEPT; else 0). */
	GOP_ACCEPT,
	/*
	 * Timed (guest rdtsc): KVM_HC_MAP_GPA_RANGE (SNP/TDX guests: their
	 * whole conversion, guest_convert()) then re-touch every page of the
	 * range; answers (conversion cycles, touch cycles, result).
	 */
	GOP_CONVERT_TIMED,
	/* Timed bare exit: a marker ucall, then (round-trip cycles). */
	GOP_EXIT_RTT,
	/* Timed write of one word per page: (cycles, pages). */
	GOP_TOUCH_TIMED,
};

#define GUEST_EXIT_MARKER	0x6d61726bULL	/* first answer of EXIT_RTT */

struct guest_cmd {
	uint64_t op;
	uint64_t gpa;
	uint64_t size;
	uint64_t seed;
	uint64_t amd;	/* hypercall flavour: vmmcall (1) or vmcall (0) */
};

struct guest_result {
	uint64_t bad;	/* GOP_CHECK: pages that differ; else the result */
	uint64_t first_bad_gpa;
	uint64_t first_bad_value;
};

/*
 * Value of the u64 at gpa for a given seed: position-dependent so that a
 * page landing at the wrong offset is caught; seed 0 means zero-filled.
 */
static inline uint64_t guest_pattern(uint64_t seed, uint64_t gpa)
{
	return seed ? seed ^ (gpa * 0x9e3779b97f4a7c15ULL) : 0;
}

/*
 * Fail, naming the first wrong page, unless a GOP_CHECK answer res of
 * [gpa, +size) against pattern(seed) found every page right.
 */
#define ASSERT_GUEST_SAW(res, gpa, size, seed, what)			\
do {									\
	struct guest_result __r = (res);				\
	uint64_t __g = (gpa), __s = (size);				\
									\
	TEST_ASSERT(!__r.bad, "%s: guest sees %llu of %llu pages wrong "	\
		    "in [0x%llx, +0x%llx); first 0x%llx = 0x%llx, want "	\
		    "0x%llx", (what), (unsigned long long)__r.bad,	\
		    (unsigned long long)(__s / SZ_4K),			\
		    (unsigned long long)__g, (unsigned long long)__s,	\
		    (unsigned long long)__r.first_bad_gpa,		\
		    (unsigned long long)__r.first_bad_value,		\
		    (unsigned long long)guest_pattern((seed),		\
						      __r.first_bad_gpa));	\
} while (0)

/* Host side: write pattern(seed) to every word of [gpa, +size) at hva. */
void host_fill_pattern(void *hva, uint64_t gpa, uint64_t size,
		       uint64_t seed);
/* Host side: pages of [gpa, +size) at hva whose first word differs. */
uint64_t host_pattern_bad_pages(const void *hva, uint64_t gpa, uint64_t size,
				uint64_t seed);

/* The guest side; pass guest_cmd_loop as guest_code. */
void guest_cmd_loop(uint64_t mailbox_gpa);

/* Create a vCPU running guest_cmd_loop with a mailbox of its own. */
struct kvm_vcpu *vm_vcpu_add_cmd(struct kvm_vm *vm);
/* Post a command without running (for tests that drive KVM_RUN). */
void vcpu_cmd_post(struct kvm_vcpu *vcpu, enum guest_op op, uint64_t gpa,
		   uint64_t size, uint64_t seed);
/* Post, run to the guest's answer, return it (fails on anything else). */
struct guest_result vcpu_cmd(struct kvm_vcpu *vcpu, enum guest_op op,
			     uint64_t gpa, uint64_t size, uint64_t seed);
/* Decode the answer of a command already run (UCALL_SYNC expected). */
struct guest_result vcpu_cmd_result(struct kvm_vcpu *vcpu);

#endif /* GMEM_GUEST_OPS_H */
