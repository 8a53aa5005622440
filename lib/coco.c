// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>

#include "coco.h"

uint64_t ghcb_msr_psc_req(uint64_t gfn, enum snp_psc_op op)
{
	return ((uint64_t)(op & 0xf) << 52) |
	       ((gfn & ((1ULL << 40) - 1)) << 12) | GHCB_MSR_PSC_REQ;
}

bool ghcb_msr_psc_resp_ok(uint64_t msr, uint32_t *error)
{
	*error = msr >> 32;
	return (msr & 0xfff) == GHCB_MSR_PSC_RESP && !*error;
}

uint64_t ghcb_msr_reg_gpa_req(uint64_t gfn)
{
	return ((gfn & ((1ULL << 52) - 1)) << 12) | GHCB_MSR_REG_GPA_REQ;
}

unsigned int snp_cbit_from_cpuid(uint32_t ebx)
{
	return ebx & 0x3f;
}

const char *snp_policy_check(uint64_t policy, uint64_t supported,
			     bool smt_on)
{
	if (policy & ~supported)
		return "policy has bits the platform/KVM does not support";
	if (!(policy & SNP_POLICY_RSVD_MBO))
		return "policy bit 17 (reserved, must be one) is clear";
	if (smt_on && !(policy & SNP_POLICY_SMT))
		return "SMT is enabled but policy bit 16 (SMT allowed) is clear";
	return NULL;
}

unsigned int tdx_shared_bit(unsigned int gpaw)
{
	return gpaw - 1;
}

struct tdx_map_gpa_regs tdx_map_gpa_pack(uint64_t gpa, uint64_t size,
					 bool to_shared, unsigned int gpaw)
{
	struct tdx_map_gpa_regs r = {
		.r10 = TDG_VP_VMCALL,
		.r11 = TDVMCALL_MAP_GPA,
		.r12 = gpa | (to_shared ? 1ULL << tdx_shared_bit(gpaw) : 0),
		.r13 = size,
	};

	return r;
}

uint64_t coco_leaf_bits(enum coco_kind kind, bool private,
			unsigned int bit_pos)
{
	switch (kind) {
	case COCO_SNP:
		return private ? 1ULL << bit_pos : 0;
	case COCO_TDX:
		return private ? 0 : 1ULL << bit_pos;
	default:
		return 0;
	}
}
