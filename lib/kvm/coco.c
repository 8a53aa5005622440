// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>

#include "coco.h"
#include "compat.h"

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

unsigned int ghcb_valid_byte(unsigned int field_off)
{
	return GHCB_OFF_VALID_BITMAP + field_off / 64;
}

uint8_t ghcb_valid_mask(unsigned int field_off)
{
	return 1 << ((field_off / 8) % 8);
}

uint64_t snp_psc_entry(uint64_t gfn, enum snp_psc_op op, bool size_2m)
{
	return ((gfn & ((1ULL << 40) - 1)) << 12) |
	       ((uint64_t)(op & 0xf) << 52) | ((uint64_t)size_2m << 56);
}

uint64_t ghcb_ioio_out32_info(uint16_t port)
{
	/* PORT 31:16, A64 bit 9, SZ32 bit 6, STR/REP 0, TYPE 0 = OUT. */
	return ((uint64_t)port << 16) | (1ULL << 9) | (1ULL << 6);
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

struct tdvmcall_regs tdx_io_out_regs(uint16_t port, unsigned int size,
				     uint32_t val)
{
	struct tdvmcall_regs r = {
		.r10 = 0,	/* TDX_HYPERCALL_STANDARD */
		.r11 = TDVMCALL_EXIT_IO_INSTRUCTION,
		.r12 = size,
		.r13 = 1,	/* direction: write */
		.r14 = port,
		.r15 = val,
	};

	return r;
}

uint64_t tdx_accept_rcx(uint64_t gpa, unsigned int level)
{
	return (gpa & ~0xfffULL) | (level & 7);
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

int coco_populate(coco_populate_fn step, void *ctx, uint64_t gpa,
		  uint64_t src, uint64_t pages, unsigned int *calls)
{
	unsigned int idle = 0;
	uint64_t before;
	int r;

	*calls = 0;
	while (pages) {
		before = pages;
		r = step(ctx, &gpa, &src, &pages);
		(*calls)++;
		if (r && r != -EINTR && r != -EAGAIN)
			return r;
		if (pages > before)
			return -EIO;	/* the kernel went backwards */
		idle = pages == before ? idle + 1 : 0;
		if (idle >= COCO_POPULATE_MAX_IDLE)
			return r ? r : -EIO;
	}
	return 0;
}

#define CPUID_7_EBX_HLE		(1U << 4)
#define CPUID_7_EBX_RTM		(1U << 11)
#define CPUID_7_ECX_WAITPKG	(1U << 5)

static const struct kvm_cpuid_entry2 *find_leaf(const struct kvm_cpuid2 *c,
						uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == idx))
			return e;
	}
	return NULL;
}

const char *tdx_filter_cpuid(const struct kvm_cpuid2 *supported,
			     const struct kvm_cpuid2 *caps,
			     struct kvm_cpuid2 *out, unsigned int gpaw)
{
	const struct kvm_cpuid_entry2 *c, *s;
	struct kvm_cpuid_entry2 *o;
	bool have_gpaw = false;
	uint32_t i;

	if (gpaw != 48 && gpaw != 52)
		return "GPAW must be 48 or 52";
	out->nent = 0;
	for (i = 0; i < caps->nent; i++) {
		c = &caps->entries[i];
		s = find_leaf(supported, c->function, c->index);
		if (!s)
			continue;
		o = &out->entries[out->nent++];
		*o = *s;
		o->index = c->index;
		o->eax &= c->eax;
		o->ebx &= c->ebx;
		o->ecx &= c->ecx;
		o->edx &= c->edx;
		if (o->function == 7 && o->index == 0) {
			o->ebx &= ~(CPUID_7_EBX_HLE | CPUID_7_EBX_RTM);
			o->ecx &= ~CPUID_7_ECX_WAITPKG;
		}
		if (o->function == 0x80000008) {
			if (((c->eax >> 16) & 0xff) != 0xff)
				return "KVM_TDX_CAPABILITIES does not offer "
				       "CPUID.0x80000008:EAX[23:16] (GPAW)";
			o->eax = (o->eax & ~0xff0000U) | (gpaw << 16);
			have_gpaw = true;
		}
	}
	if (!have_gpaw)
		return "no CPUID leaf 0x80000008 in both the supported CPUID "
		       "and KVM_TDX_CAPABILITIES: KVM_TDX_INIT_VM needs it";
	return NULL;
}
