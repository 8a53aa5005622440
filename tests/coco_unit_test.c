// SPDX-License-Identifier: GPL-2.0
/*
 * SEV-SNP and TDX encodings, each expected value derived by hand from
 * the documentation (GHCB spec: MSR protocol, page state change; TDX
 * GHCI: TDG.VP.VMCALL<MapGPA>; Linux 7.3 sev-common.h, psp-sev.h,
 * shared/tdx.h).  Pure code: runs on any host.
 */
#include <stddef.h>

#include "coco.h"
#include "coco_uapi.h"
#include "ktap.h"
#include "test_util.h"

/* GHCBData[55:52] op | [51:12] gfn | [11:0] 0x014. */
static void ghcb_psc_request(void)
{
	TEST_ASSERT_EQ(ghcb_msr_psc_req(0x12345, SNP_PSC_PRIVATE),
		       0x0010000012345014ULL);
	TEST_ASSERT_EQ(ghcb_msr_psc_req(0xffffffffffULL, SNP_PSC_SHARED),
		       0x002ffffffffff014ULL);
	/* The gfn field is 40 bits: bit 40 falls off. */
	TEST_ASSERT_EQ(ghcb_msr_psc_req(1ULL << 40, SNP_PSC_PRIVATE),
		       0x0010000000000014ULL);
}

/* Response 0x015, GHCBData[63:32] error; bit 63 the generic error. */
static void ghcb_psc_response(void)
{
	uint32_t err;

	TEST_ASSERT(ghcb_msr_psc_resp_ok(0x15, &err) && !err, "plain 0x015");
	TEST_ASSERT(!ghcb_msr_psc_resp_ok(0x0000000500000015ULL, &err),
		    "error 5 accepted");
	TEST_ASSERT_EQ(err, 5);
	TEST_ASSERT(!ghcb_msr_psc_resp_ok(0x8000000000000015ULL, &err),
		    "generic error accepted");
	TEST_ASSERT_EQ(err, 0x80000000U);
	TEST_ASSERT(!ghcb_msr_psc_resp_ok(0x13, &err), "wrong response code");
}

/* GHCB registration: gfn << 12 | 0x012. */
static void ghcb_register_gpa(void)
{
	TEST_ASSERT_EQ(ghcb_msr_reg_gpa_req(0xabc), 0xabc012ULL);
}

/* CPUID 0x8000001F EBX = 0x133: C-bit 51 (EBX[5:0] = 0x33). */
static void snp_cbit_and_leaf_bits(void)
{
	unsigned int cbit = snp_cbit_from_cpuid(0x133);

	TEST_ASSERT_EQ(cbit, 51);
	TEST_ASSERT_EQ(coco_leaf_bits(COCO_SNP, true, cbit), 1ULL << 51);
	TEST_ASSERT_EQ(coco_leaf_bits(COCO_SNP, false, cbit), 0);
	TEST_ASSERT_EQ(coco_leaf_bits(COCO_NONE, true, cbit), 0);
}

/* GPAW 48 -> shared bit 47, GPAW 52 -> 51; set on shared leaves only. */
static void tdx_shared_bit_and_leaf_bits(void)
{
	TEST_ASSERT_EQ(tdx_shared_bit(48), 47);
	TEST_ASSERT_EQ(tdx_shared_bit(52), 51);
	TEST_ASSERT_EQ(coco_leaf_bits(COCO_TDX, false, 47), 1ULL << 47);
	TEST_ASSERT_EQ(coco_leaf_bits(COCO_TDX, true, 47), 0);
}

/* MapGPA: R10 0, R11 0x10001, R12 gpa (+ shared bit), R13 size. */
static void tdx_map_gpa_registers(void)
{
	struct tdx_map_gpa_regs r = tdx_map_gpa_pack(0x10000000, SZ_2M, true,
						     48);

	TEST_ASSERT_EQ(r.r10, 0);
	TEST_ASSERT_EQ(r.r11, 0x10001);
	TEST_ASSERT_EQ(r.r12, 0x800010000000ULL);
	TEST_ASSERT_EQ(r.r13, SZ_2M);
	r = tdx_map_gpa_pack(0x10000000, SZ_4K, false, 52);
	TEST_ASSERT_EQ(r.r12, 0x10000000);
}

/*
 * KVM_SNP_POLICY_MASK_VALID (7.3 svm/sev.c) without MIGRATE_MA (18):
 * API minor/major 0..15, SMT 16, RSVD_MBO 17, DEBUG 19, SINGLE_SOCKET
 * 20, CXL 21, AES-256 22, RAPL_DIS 23, ciphertext hiding 24, page swap
 * disable 25: 0x3fbffff.
 */
static void snp_policy_validation(void)
{
	const uint64_t kvm_valid = 0x3fbffffULL;

	TEST_ASSERT(!snp_policy_check(0x30000, kvm_valid, true),
		    "SMT + RSVD_MBO refused");
	TEST_ASSERT(!snp_policy_check(0x20000, kvm_valid, false),
		    "RSVD_MBO alone refused without SMT");
	TEST_ASSERT(snp_policy_check(0x20000, kvm_valid, true),
		    "SMT on but policy without SMT accepted");
	TEST_ASSERT(snp_policy_check(0x10000, kvm_valid, true),
		    "RSVD_MBO clear accepted");
	TEST_ASSERT(snp_policy_check(0x30000 | (1ULL << 18), kvm_valid, true),
		    "MIGRATE_MA (not in KVM's mask) accepted");
}

/*
 * uAPI layouts, sizes added up by hand from the 7.3 header: a wrong
 * compat struct fails the build, not a launch on real hardware.
 */
_Static_assert(sizeof(struct kvm_sev_cmd) == 24, "kvm_sev_cmd");
_Static_assert(sizeof(struct kvm_sev_init) == 48, "kvm_sev_init");
_Static_assert(sizeof(struct kvm_sev_snp_launch_start) == 64,
	       "kvm_sev_snp_launch_start");
_Static_assert(sizeof(struct kvm_sev_snp_launch_update) == 64 &&
	       offsetof(struct kvm_sev_snp_launch_update, type) == 24,
	       "kvm_sev_snp_launch_update");
_Static_assert(sizeof(struct kvm_sev_snp_launch_finish) == 88 &&
	       offsetof(struct kvm_sev_snp_launch_finish, host_data) == 19 &&
	       offsetof(struct kvm_sev_snp_launch_finish, flags) == 54,
	       "kvm_sev_snp_launch_finish");
_Static_assert(sizeof(struct kvm_tdx_cmd) == 24, "kvm_tdx_cmd");
/* "The total space for TD_PARAMS before the CPUIDs is 256 bytes". */
_Static_assert(offsetof(struct kvm_tdx_init_vm, cpuid) == 256,
	       "kvm_tdx_init_vm");
_Static_assert(offsetof(struct kvm_tdx_capabilities, cpuid) == 2048,
	       "kvm_tdx_capabilities");
_Static_assert(sizeof(struct kvm_tdx_init_mem_region) == 24,
	       "kvm_tdx_init_mem_region");
_Static_assert(sizeof(struct kvm_memory_attributes2) == 128,
	       "kvm_memory_attributes2 (in-place series)");

static const struct ktap_case cases[] = {
	KTAP_CASE(ghcb_psc_request),
	KTAP_CASE(ghcb_psc_response),
	KTAP_CASE(ghcb_register_gpa),
	KTAP_CASE(snp_cbit_and_leaf_bits),
	KTAP_CASE(tdx_shared_bit_and_leaf_bits),
	KTAP_CASE(tdx_map_gpa_registers),
	KTAP_CASE(snp_policy_validation),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
