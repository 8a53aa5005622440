// SPDX-License-Identifier: GPL-2.0
/*
 * SEV-SNP and TDX encodings, each expected value derived by hand from
 * the documentation (GHCB spec: MSR protocol, page state change; TDX
 * GHCI: TDG.VP.VMCALL<MapGPA>; Linux 7.3 sev-common.h, psp-sev.h,
 * shared/tdx.h).  Pure code: runs on any host.
 */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coco.h"
#include "coco_state.h"
#include "coco_uapi.h"
#include "compat.h"
#include "ktap.h"
#include "kvm_ioctl.h"
#include "kvm_model.h"
#include "kvm_util.h"
#include "test_util.h"
#include "vm_kind.h"

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
 * GHCB page fields (struct ghcb_save_area, asm/svm.h: rax at 0x1f8,
 * sw_exit_code 0x390, sw_exit_info_1/2 0x398/0x3a0, valid_bitmap 0x3f0,
 * one bit per qword: field offset / 8) and the IOIO exit information of
 * "out %eax, $0xe7" (APM vol. 2, IOIO intercept: port 31:16, A64 bit 9,
 * SZ32 bit 6, type 0 = OUT), which KVM requires with RAX valid
 * (sev_es_are_required_ghcb_fields_valid).
 */
static void ghcb_ioio_exit_fields(void)
{
	/* rax: qword 63 -> byte 0x3f0 + 7, bit 7. */
	TEST_ASSERT_EQ(ghcb_valid_byte(GHCB_OFF_RAX), 0x3f7);
	TEST_ASSERT_EQ(ghcb_valid_mask(GHCB_OFF_RAX), 0x80);
	/* sw_exit_code: qword 114 -> byte 0x3f0 + 14, bit 2. */
	TEST_ASSERT_EQ(ghcb_valid_byte(GHCB_OFF_SW_EXIT_CODE), 0x3fe);
	TEST_ASSERT_EQ(ghcb_valid_mask(GHCB_OFF_SW_EXIT_CODE), 0x04);
	/* sw_exit_info_1 (115): bit 3; sw_exit_info_2 (116): bit 4. */
	TEST_ASSERT_EQ(ghcb_valid_mask(GHCB_OFF_SW_EXIT_INFO_1), 0x08);
	TEST_ASSERT_EQ(ghcb_valid_mask(GHCB_OFF_SW_EXIT_INFO_2), 0x10);
	TEST_ASSERT_EQ(ghcb_ioio_out32_info(0xe7), 0x00e70240ULL);
	TEST_ASSERT_EQ(ghcb_ioio_out32_info(0xffff), 0xffff0240ULL);
}

/*
 * GHCB-page page-state change (asm/sev-common.h struct psc_entry:
 * cur_page 11:0, gfn 51:12, operation 55:52, pagesize 56; struct psc_hdr
 * 8 bytes): 253 entries fill the 2032-byte shared buffer exactly.
 */
static void ghcb_psc_entries(void)
{
	TEST_ASSERT_EQ(snp_psc_entry(0x100003, SNP_PSC_PRIVATE, false),
		       0x0010000100003000ULL);
	TEST_ASSERT_EQ(snp_psc_entry(0x100200, SNP_PSC_SHARED, true),
		       0x0120000100200000ULL);
	/* gfn is 40 bits wide: bit 40 falls off. */
	TEST_ASSERT_EQ(snp_psc_entry(1ULL << 40, SNP_PSC_SHARED, false),
		       0x0020000000000000ULL);
	TEST_ASSERT_EQ(sizeof(struct snp_psc_hdr), 8);
	TEST_ASSERT_EQ(sizeof(struct snp_psc_hdr) + SNP_PSC_MAX_ENTRIES * 8,
		       2032);
	TEST_ASSERT_EQ(GHCB_OFF_SHARED_BUF + 2032, 0xff0);
}

/*
 * TDG.VP.VMCALL<Instruction.IO> (GHCI; Linux arch/x86/coco/tdx/tdx.c
 * handle_out): R10 0 (standard), R11 30 (EXIT_REASON_IO_INSTRUCTION),
 * R12 size, R13 1 (write), R14 port, R15 value.  TDG.MEM.PAGE.ACCEPT:
 * RCX = gpa | level (0 = 4K, 1 = 2M).
 */
static void tdx_io_and_accept_registers(void)
{
	struct tdvmcall_regs r = tdx_io_out_regs(0xe7, 4, 0x1234);

	TEST_ASSERT(r.r10 == 0 && r.r11 == 30 && r.r12 == 4 && r.r13 == 1 &&
		    r.r14 == 0xe7 && r.r15 == 0x1234, "Instruction.IO regs "
		    "%llx %llx %llx %llx %llx %llx",
		    (unsigned long long)r.r10, (unsigned long long)r.r11,
		    (unsigned long long)r.r12, (unsigned long long)r.r13,
		    (unsigned long long)r.r14, (unsigned long long)r.r15);
	TEST_ASSERT_EQ(tdx_accept_rcx(0x100003000ULL, 0), 0x100003000ULL);
	TEST_ASSERT_EQ(tdx_accept_rcx(0x100200000ULL, 1), 0x100200001ULL);
	/* Low bits of a misaligned gpa never leak into the level. */
	TEST_ASSERT_EQ(tdx_accept_rcx(0x1fffULL, 0), 0x1000ULL);
}

/* ---- Populate loop (SNP_LAUNCH_UPDATE, TDX_INIT_MEM_REGION) --------------- */

struct mock_populate {
	unsigned int per_call;	/* pages KVM handles per call */
	unsigned int eintr_every; /* every n-th call: -EINTR, nothing done */
	int fail_at;		/* call number that fails with -EIO, or 0 */
	bool stall;		/* succeed without progress */
	bool backwards;
	unsigned int calls;
	uint64_t next_gpa, next_src;
	bool out_of_order;
};

/* Advances like KVM: part of the range, the rest written back. */
static int mock_step(void *ctx, uint64_t *gpa, uint64_t *src,
		     uint64_t *pages)
{
	struct mock_populate *m = ctx;
	uint64_t n;

	m->calls++;
	if (*gpa != m->next_gpa || *src != m->next_src)
		m->out_of_order = true;
	if (m->fail_at && m->calls == (unsigned int)m->fail_at)
		return -EIO;
	if (m->eintr_every && m->calls % m->eintr_every == 0)
		return -EINTR;
	if (m->stall)
		return 0;
	if (m->backwards) {
		*pages += 1;
		return 0;
	}
	n = *pages < m->per_call ? *pages : m->per_call;
	*gpa += n * 4096;
	*src += n * 4096;
	*pages -= n;
	m->next_gpa = *gpa;
	m->next_src = *src;
	return 0;
}

/*
 * KVM may populate part of a range per call and return -EINTR on a
 * signal (both commands' documentation): the loop resumes where KVM
 * stopped until nothing is left, and stops on errors and stalls.
 */
static void populate_loop_resumes_and_stops(void)
{
	struct mock_populate m = {
		.per_call = 3, .eintr_every = 2,
		.next_gpa = 0x200000, .next_src = 0x7f0000000000ULL,
	};
	unsigned int calls;

	/* 10 pages, 3 per call, every 2nd call -EINTR: 4 + 3 = 7 calls. */
	TEST_ASSERT_EQ(coco_populate(mock_step, &m, 0x200000,
				     0x7f0000000000ULL, 10, &calls), 0);
	TEST_ASSERT_EQ(calls, 7);
	TEST_ASSERT(!m.out_of_order, "a call did not resume where the "
		    "previous one stopped");
	TEST_ASSERT_EQ(m.next_gpa, 0x200000 + 10 * 4096);

	m = (struct mock_populate){ .per_call = 1, .fail_at = 3,
				    .next_gpa = 0, .next_src = 0 };
	TEST_ASSERT_EQ(coco_populate(mock_step, &m, 0, 0, 10, &calls), -EIO);
	TEST_ASSERT_EQ(calls, 3);

	m = (struct mock_populate){ .stall = true };
	TEST_ASSERT_EQ(coco_populate(mock_step, &m, 0, 0, 4, &calls), -EIO);
	TEST_ASSERT_EQ(calls, COCO_POPULATE_MAX_IDLE);

	m = (struct mock_populate){ .backwards = true };
	TEST_ASSERT_EQ(coco_populate(mock_step, &m, 0, 0, 4, &calls), -EIO);
	TEST_ASSERT_EQ(calls, 1);

	/* Nothing to do: no call at all. */
	TEST_ASSERT_EQ(coco_populate(mock_step, &m, 0, 0, 0, &calls), 0);
	TEST_ASSERT_EQ(calls, 0);
}

/* ---- TDX CPUID against KVM_TDX_CAPABILITIES ------------------------------ */

static struct kvm_cpuid2 *cpuid_alloc(unsigned int n)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
				      n * sizeof(c->entries[0]));

	TEST_ASSERT(c, "calloc");
	c->nent = n;
	return c;
}

static void set_leaf(struct kvm_cpuid_entry2 *e, uint32_t fn, uint32_t idx,
		     uint32_t flags, uint32_t a, uint32_t b, uint32_t c,
		     uint32_t d)
{
	*e = (struct kvm_cpuid_entry2){ .function = fn, .index = idx,
		.flags = flags, .eax = a, .ebx = b, .ecx = c, .edx = d };
}

static const struct kvm_cpuid_entry2 *out_leaf(const struct kvm_cpuid2 *c,
					       uint32_t fn)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn)
			return &c->entries[i];
	return NULL;
}

/*
 * Hand-made tables.  The rules, from Linux 7.3 arch/x86/kvm/vmx/tdx.c:
 * every entry must match a configurable leaf (setup_tdparams_cpuids:
 * copy_cnt != nent -> EINVAL); TSX (7.0 EBX HLE bit 4, RTM bit 11) and
 * WAITPKG (7.0 ECX bit 5) are refused (tdx_unsupported_cpuid); GPAW is
 * read from 0x80000008 EAX[23:16], 48 or 52 only
 * (setup_tdparams_eptp_controls), and KVM reports those bits as 0xff in
 * the capabilities (td_init_cpuid_entry2).
 */
static void tdx_cpuid_filtered_by_capabilities(void)
{
	struct kvm_cpuid2 *sup = cpuid_alloc(5), *caps = cpuid_alloc(3);
	struct kvm_cpuid2 *out = cpuid_alloc(3);
	const struct kvm_cpuid_entry2 *e;
	const uint32_t sig = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;

	set_leaf(&sup->entries[0], 0x1, 0, 0, 0x806f8, 0x800, 0xfffa3203,
		 0x178bfbff);
	/* 7.0: EBX FSGSBASE(0)|bit3|HLE(4)|RTM(11), ECX bit2|WAITPKG(5). */
	set_leaf(&sup->entries[1], 0x7, 0, sig, 0, 0x819, 0x24, 0);
	set_leaf(&sup->entries[2], 0x7, 1, sig, 0x10, 0, 0, 0);
	set_leaf(&sup->entries[3], 0x40000000, 0, 0, 0x40000001, 0, 0, 0);
	set_leaf(&sup->entries[4], 0x80000008, 0, 0, 0x302e, 0, 0, 0);
	set_leaf(&caps->entries[0], 0x1, 0, 0, 0, 0, 0x200, 0);
	set_leaf(&caps->entries[1], 0x7, 0, sig, 0, ~0U, ~0U, ~0U);
	set_leaf(&caps->entries[2], 0x80000008, 0, 0, 0x00ff0000, 0, 0, 0);

	TEST_ASSERT(!tdx_filter_cpuid(sup, caps, out, 48), "filter failed");
	/* 0x40000000 and 7.1 are not configurable: dropped. */
	TEST_ASSERT_EQ(out->nent, 3);
	e = out_leaf(out, 0x1);
	TEST_ASSERT(e && e->eax == 0 && e->ebx == 0 && e->ecx == 0x200 &&
		    e->edx == 0, "leaf 1 not masked to the configurable bits");
	e = out_leaf(out, 0x7);
	TEST_ASSERT(e && e->index == 0, "leaf 7.0 missing");
	TEST_ASSERT_EQ(e->ebx, 0x9);	/* 0x819 without HLE and RTM */
	TEST_ASSERT_EQ(e->ecx, 0x4);	/* 0x24 without WAITPKG */
	e = out_leaf(out, 0x80000008);
	TEST_ASSERT(e, "leaf 0x80000008 missing");
	TEST_ASSERT_EQ(e->eax, 48 << 16);
	TEST_ASSERT(!tdx_filter_cpuid(sup, caps, out, 52), "GPAW 52");
	TEST_ASSERT_EQ(out_leaf(out, 0x80000008)->eax, 52 << 16);

	TEST_ASSERT(tdx_filter_cpuid(sup, caps, out, 50), "GPAW 50 accepted");
	caps->entries[2].eax = 0;
	TEST_ASSERT(tdx_filter_cpuid(sup, caps, out, 48),
		    "GPAW accepted although not configurable");
	caps->nent = 2;
	TEST_ASSERT(tdx_filter_cpuid(sup, caps, out, 48),
		    "accepted without leaf 0x80000008");
	free(sup);
	free(caps);
	free(out);
}

/* ---- Why a VM type cannot run -------------------------------------------- */

static void expect_reason(const struct vm_kind_facts *f, enum vm_kind k,
			  const char *want1, const char *want2)
{
	char buf[320];
	const char *r = vm_kind_unavailable(f, k, buf, sizeof(buf));

	TEST_ASSERT(r, "%s reported available", vm_kind_info(k)->name);
	test_diag("%s: %s", vm_kind_info(k)->name, r);
	TEST_ASSERT(strstr(r, want1), "reason lacks \"%s\"", want1);
	TEST_ASSERT(!want2 || strstr(r, want2), "reason lacks \"%s\"",
		    want2);
}

/* Each missing piece is named, the first cause first. */
static void vm_type_skip_reasons(void)
{
	struct vm_kind_facts f = {
		.kvm_ok = true, .vm_types_mask = 0x3,
		.kvm_module = "kvm_pvm", .tdp_mmu = "N",
		.dev_sev_errno = ENOENT,
	};
	char buf[320];
	enum vm_kind k;

	TEST_ASSERT(!vm_kind_unavailable(&f, VM_KIND_DEFAULT, buf, 320),
		    "default VM unavailable");
	TEST_ASSERT(!vm_kind_unavailable(&f, VM_KIND_SW_PROTECTED, buf,
					 320), "sw_protected unavailable");
	expect_reason(&f, VM_KIND_SNP, "KVM_X86_SNP_VM (4) not offered "
		      "(KVM_CAP_VM_TYPES = 0x3)", "module is kvm_pvm");
	expect_reason(&f, VM_KIND_TDX, "KVM_X86_TDX_VM (5) not offered",
		      "module is kvm_pvm");
	f.vm_types_mask = 0x1;
	expect_reason(&f, VM_KIND_SW_PROTECTED, "KVM_X86_SW_PROTECTED_VM",
		      "kvm.tdp_mmu = N");
	f.tdp_mmu = "Y";
	expect_reason(&f, VM_KIND_SW_PROTECTED, "not offered",
		      "CONFIG_KVM_SW_PROTECTED_VM");
	f.vm_types_mask = 0;
	expect_reason(&f, VM_KIND_SW_PROTECTED, "KVM_CAP_VM_TYPES absent",
		      NULL);

	f.vm_types_mask = 0x3;
	f.kvm_module = "kvm_amd";
	expect_reason(&f, VM_KIND_SNP, "kvm_amd has no sev_snp", NULL);
	f.sev_snp = "N";
	expect_reason(&f, VM_KIND_SNP, "kvm_amd.sev_snp = N", NULL);
	f.sev_snp = "Y";
	expect_reason(&f, VM_KIND_SNP, "/dev/sev: ENOENT", NULL);
	f.vm_types_mask = 0x13;
	expect_reason(&f, VM_KIND_SNP, "/dev/sev cannot be opened: ENOENT",
		      NULL);
	f.dev_sev_errno = 0;
	TEST_ASSERT(!vm_kind_unavailable(&f, VM_KIND_SNP, buf, 320),
		    "SNP unavailable with everything present");

	f.vm_types_mask = 0x3;
	f.kvm_module = "kvm_intel";
	expect_reason(&f, VM_KIND_TDX, "kvm_intel has no tdx parameter",
		      NULL);
	f.tdx = "N";
	expect_reason(&f, VM_KIND_TDX, "kvm_intel.tdx = N", NULL);
	f.vm_types_mask = 0x23;
	TEST_ASSERT(!vm_kind_unavailable(&f, VM_KIND_TDX, buf, 320),
		    "TDX unavailable although offered");

	f.kvm_ok = false;
	f.kvm_error = "/dev/kvm: EACCES";
	for (k = 0; k < NR_VM_KINDS; k++)
		expect_reason(&f, k, "/dev/kvm: EACCES", NULL);
}

/* --vm-type names map to the uAPI types; unknown names are refused. */
static void vm_type_names(void)
{
	const unsigned long want[NR_VM_KINDS] = { 0, 1, 4, 5 };
	enum vm_kind k, got;

	for (k = 0; k < NR_VM_KINDS; k++) {
		TEST_ASSERT(vm_kind_from_name(vm_kind_info(k)->name, &got) &&
			    got == k, "%s", vm_kind_info(k)->name);
		TEST_ASSERT_EQ(vm_kind_info(k)->type, want[k]);
		TEST_ASSERT_EQ(vm_kind_from_type(want[k]), k);
	}
	TEST_ASSERT(!vm_kind_from_name("sev", &got), "sev accepted");
	TEST_ASSERT(!vm_kind_from_name("", &got), "empty name accepted");
	TEST_ASSERT_EQ(vm_kind_from_type(2), NR_VM_KINDS);
	TEST_ASSERT(!vm_kind_info(VM_KIND_DEFAULT)->private_mem &&
		    vm_kind_info(VM_KIND_SNP)->protected_state &&
		    !vm_kind_info(VM_KIND_SW_PROTECTED)->protected_state,
		    "kind properties");
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

/*
 * A model of what KVM 7.3 enforces when a TD vCPU is set up (tdx.c,
 * lapic.c): KVM_TDX_INIT_VCPU enables x2APIC, refused (EINVAL) unless
 * KVM_SET_CPUID2 gave the vCPU X2APIC first; KVM_TDX_GET_CPUID may
 * answer E2BIG without writing the size it needs.  The backend's real
 * code runs against it through kvm_ioctl_hook.
 */
static struct {
	char seq[96];
	bool cpuid_set;
	unsigned int e2big;
	uint32_t nent_seen[4];
	unsigned int nr_get;
} td;

static void td_log(const char *what)
{
	snprintf(td.seq + strlen(td.seq), sizeof(td.seq) - strlen(td.seq),
		 "%s%s", td.seq[0] ? " " : "", what);
}

static int td_model_ioctl(int fd __unused, unsigned long req, void *arg)
{
	struct kvm_tdx_cmd *c = arg;
	struct kvm_cpuid2 *cpuid;

	if (req == KVM_SET_CPUID2) {
		td_log("SET_CPUID2");
		td.cpuid_set = true;
		return 0;
	}
	if (req != KVM_MEMORY_ENCRYPT_OP)
		goto notty;
	switch (c->id) {
	case GMEM_KVM_TDX_GET_CPUID:
		td_log("GET_CPUID");
		cpuid = (struct kvm_cpuid2 *)(uintptr_t)c->data;
		if (td.nr_get < ARRAY_SIZE(td.nent_seen))
			td.nent_seen[td.nr_get++] = cpuid->nent;
		if (td.e2big && td.e2big--) {
			errno = E2BIG;
			return -1;
		}
		cpuid->nent = 1;
		cpuid->entries[0].function = 1;
		return 0;
	case GMEM_KVM_TDX_INIT_VCPU:
		td_log("INIT_VCPU");
		if (!td.cpuid_set) {
			errno = EINVAL;
			return -1;
		}
		return 0;
	}
notty:
	errno = ENOTTY;
	return -1;
}

/* The TD vCPU is set up in the order KVM accepts. */
static void tdx_vcpu_setup_order(void)
{
	struct kvm_vcpu vcpu = { .fd = 1000, .id = 0 };

	memset(&td, 0, sizeof(td));
	kvm_ioctl_hook = td_model_ioctl;
	vm_backend_of(VM_KIND_TDX)->vcpu_init(&vcpu);
	kvm_ioctl_hook = NULL;
	test_diag("sequence: %s", td.seq);
	TEST_ASSERT(!strcmp(td.seq, "GET_CPUID SET_CPUID2 INIT_VCPU"),
		    "TD vCPU setup ran \"%s\"", td.seq);
}

/* E2BIG without the size KVM needs: the buffer grows anyway. */
static void tdx_get_cpuid_grows_on_bare_e2big(void)
{
	struct kvm_vcpu vcpu = { .fd = 1000, .id = 0 };

	memset(&td, 0, sizeof(td));
	td.e2big = 2;
	kvm_ioctl_hook = td_model_ioctl;
	vm_backend_of(VM_KIND_TDX)->vcpu_init(&vcpu);
	kvm_ioctl_hook = NULL;
	test_diag("sequence: %s; nent offered %u, %u, %u", td.seq,
		  td.nent_seen[0], td.nent_seen[1], td.nent_seen[2]);
	TEST_ASSERT_EQ(td.nr_get, 3);
	TEST_ASSERT(td.nent_seen[1] > td.nent_seen[0] &&
		    td.nent_seen[2] > td.nent_seen[1],
		    "the buffer did not grow after a bare E2BIG");
}

/*
 * KVM_EXIT_SYSTEM_EVENT decoding: an SNP guest's termination request
 * (GHCB MSR protocol 0x100, reason set 15:12, code 23:16, as our guest's
 * snp_terminate() sends it), one through the GHCB page, a TD's
 * ReportFatalError (R12 at data[12], R13 at data[13]), and the rest.
 */
static void system_event_decoding(void)
{
	uint64_t d[16] = { 0x100 | 1ULL << 12 | 0x2aULL << 16 };
	char buf[200];

	system_event_describe(6, 1, d, buf, sizeof(buf));
	test_diag("%s", buf);
	TEST_ASSERT(strstr(buf, "SEV_TERM") && strstr(buf, "reason set 1,") &&
		    strstr(buf, "reason code 0x2a"), "%s", buf);
	d[0] = 0x7f000;
	system_event_describe(6, 1, d, buf, sizeof(buf));
	TEST_ASSERT(strstr(buf, "GHCB page at 0x7f000"), "%s", buf);
	d[12] = 0x8000000000000001ULL;
	d[13] = 0x1000;
	system_event_describe(7, 16, d, buf, sizeof(buf));
	test_diag("%s", buf);
	TEST_ASSERT(strstr(buf, "TDX_FATAL") &&
		    strstr(buf, "(R12) 0x8000000000000001") &&
		    strstr(buf, "(R13) 0x1000"), "%s", buf);
	system_event_describe(99, 0, d, buf, sizeof(buf));
	TEST_ASSERT(strstr(buf, "unknown type (99), 0 data words"), "%s", buf);
}

/* ---- The guest-state model (lib/kvm/coco_state.c) ---------------------------- */

#define M_BASE	0x100000000ULL

/* Each rule of the model, on both kinds. */
static void guest_state_rules(void)
{
	enum coco_kind k;

	for (k = COCO_SNP; k <= COCO_TDX; k++) {
		struct coco_pages m;

		coco_pages_init(&m, k, M_BASE, 16 * SZ_4K, false);
		TEST_ASSERT(coco_guest_touch(&m, M_BASE, 16 * SZ_4K),
			    "shared pages not touchable: %s", m.error);
		TEST_ASSERT(coco_guest_convert(&m, M_BASE, 4 * SZ_4K, true),
			    "%s", m.error);
		TEST_ASSERT(coco_guest_touch(&m, M_BASE, 16 * SZ_4K),
			    "converted pages not touchable: %s", m.error);
		TEST_ASSERT(!coco_guest_convert(&m, M_BASE, SZ_4K, true),
			    "converting a private page to private again");
		test_diag("%s", m.error);
		m.error[0] = 0;
		/* Behind the guest's back: the next touch faults. */
		coco_host_convert(&m, M_BASE + 8 * SZ_4K, SZ_4K, true);
		TEST_ASSERT(!coco_guest_touch(&m, M_BASE + 8 * SZ_4K, SZ_4K),
			    "touch after a host-only conversion");
		test_diag("%s", m.error);
		m.error[0] = 0;
		/* A discarded private page must be accepted again. */
		coco_discard(&m, M_BASE, SZ_4K);
		TEST_ASSERT(!coco_guest_touch(&m, M_BASE, SZ_4K),
			    "private touch of a discarded page");
		test_diag("%s", m.error);
		m.error[0] = 0;
		TEST_ASSERT(coco_guest_accept(&m, M_BASE, SZ_4K) &&
			    coco_guest_touch(&m, M_BASE, SZ_4K), "%s", m.error);
		TEST_ASSERT(!coco_guest_accept(&m, M_BASE, SZ_4K),
			    "accepting twice");
		test_diag("%s", m.error);
		m.error[0] = 0;
		TEST_ASSERT(coco_guest_convert(&m, M_BASE, 4 * SZ_4K, false),
			    "%s", m.error);
		/* To shared again: TDX idempotent, SNP rescinds nothing. */
		TEST_ASSERT(coco_guest_convert(&m, M_BASE, SZ_4K, false) ==
			    (k == COCO_TDX), "%s to shared of a shared page",
			    k == COCO_TDX ? "TDX" : "SNP");
		coco_pages_free(&m);
	}
}

/* convert_bench's default sizes and every row of its plan. */
static const uint64_t plan_sizes[] = { SZ_4K, SZ_2M, 64ULL << 20 };

static unsigned int replay_plan(enum coco_kind k, bool old_plan,
				char *error, size_t len)
{
	unsigned int s, d, pop, it, rows = 0;
	struct coco_pages m;

	coco_pages_init(&m, k, M_BASE, 64ULL << 20, false);
	for (s = 0; s < ARRAY_SIZE(plan_sizes); s++)
		for (d = 0; d < 2; d++)
			for (pop = 0; pop < 2; pop++)
				for (it = 0; it < 3; it++) {
			uint64_t size = plan_sizes[s];
			bool to_private = !d;

			if (coco_row_exists(to_private, pop))
				continue;
			if (!old_plan) {
				if (!coco_row_run(&m, NULL, NULL, M_BASE, size,
						  to_private, pop))
					goto out;
				rows++;
				continue;
			}
			/* The naive plan: the host sets the source state. */
			coco_host_convert(&m, M_BASE, size, !to_private);
			coco_discard(&m, M_BASE, size);
			if ((pop && !coco_guest_touch(&m, M_BASE, size)) ||
			    !coco_guest_convert(&m, M_BASE, size, to_private))
				goto out;
			rows++;
		}
out:
	snprintf(error, len, "%s", m.error);
	coco_pages_free(&m);
	return rows;
}

/*
 * Every row convert_bench runs on SNP/TDX (3 iterations each, the same
 * region throughout) is valid for the hardware; the plan before this
 * model (the host converting behind the guest) faults at once.
 */
static void convert_bench_plan_replays(void)
{
	enum coco_kind k;
	char err[256];

	TEST_ASSERT(coco_row_exists(false, false), "untouched private row");
	for (k = COCO_SNP; k <= COCO_TDX; k++) {
		unsigned int rows = replay_plan(k, false, err, sizeof(err));

		TEST_ASSERT(!err[0], "%s: row %u of the plan: %s", k ==
			    COCO_SNP ? "SNP" : "TDX", rows, err);
		TEST_ASSERT_EQ(rows, ARRAY_SIZE(plan_sizes) * 3 * 3);
		rows = replay_plan(k, true, err, sizeof(err));
		test_diag("old plan on %s: row %u: %s", k == COCO_SNP ? "SNP" :
			  "TDX", rows, err);
		TEST_ASSERT(err[0], "the old plan passed the model");
	}
}

/*
 * fault_bench's passes over gmem-private memory of a launched SNP/TDX
 * guest: a first touch, the timer floor, the resident floor, then per
 * iteration discard + untimed first touch, discard + timed first touch;
 * with --populate a populating pass and resident passes.  Pages are
 * accepted only where discard left them; accepting on every touching
 * pass (before) accepts twice on the resident floor.
 */
static bool replay_fault_passes(enum coco_kind k, bool populate, bool old,
				char *error, size_t len)
{
	struct { bool discard, touches; } plan[12];
	unsigned int n = 0, i;
	struct coco_pages m;
	bool fresh = true, ok = true;

	plan[n++] = (typeof(plan[0])){ false, true };	/* untimed */
	plan[n++] = (typeof(plan[0])){ false, false };	/* timer */
	plan[n++] = (typeof(plan[0])){ false, true };	/* resident */
	for (i = 0; i < 2; i++) {
		plan[n++] = (typeof(plan[0])){ true, true };
		if (populate)
			plan[n++] = (typeof(plan[0])){ false, true };
		plan[n++] = (typeof(plan[0])){ !populate, true };
	}
	coco_pages_init(&m, k, M_BASE, 32 * SZ_4K, true);
	for (i = 0; i < n && ok; i++) {
		bool accept;

		if (plan[i].discard) {
			coco_discard(&m, M_BASE, 32 * SZ_4K);
			fresh = true;
		}
		accept = old ? plan[i].touches :
			 fault_pass_accepts(true, k, fresh, plan[i].touches);
		if (plan[i].touches)
			fresh = false;
		if (accept)
			ok = coco_guest_accept(&m, M_BASE, 32 * SZ_4K);
		if (ok && plan[i].touches)
			ok = coco_guest_touch(&m, M_BASE, 32 * SZ_4K);
	}
	snprintf(error, len, "%s", m.error);
	coco_pages_free(&m);
	return ok;
}

static void fault_bench_passes_replay(void)
{
	enum coco_kind k;
	char err[256];
	int pop;

	for (k = COCO_SNP; k <= COCO_TDX; k++)
		for (pop = 0; pop < 2; pop++) {
			TEST_ASSERT(replay_fault_passes(k, pop, false, err,
							sizeof(err)),
				    "%s%s: %s", k == COCO_SNP ? "SNP" : "TDX",
				    pop ? " --populate" : "", err);
			TEST_ASSERT(!replay_fault_passes(k, pop, true, err,
							 sizeof(err)),
				    "accepting on every pass passed");
			test_diag("accepting on every pass, %s%s: %s",
				  k == COCO_SNP ? "SNP" : "TDX",
				  pop ? " --populate" : "", err);
		}
	TEST_ASSERT(!fault_pass_accepts(true, COCO_NONE, true, true),
		    "SW_PROTECTED guests accept nothing");
}

/* ---- Whole launches against the model of KVM (tests/model/kvm_model.c) ---------- */

/* Event a comes before event b in the model's log (both present). */
static void expect_before(const struct kvm_model *m, const char *a,
			  const char *b)
{
	int ia = kvm_model_find(m, a), ib = kvm_model_find(m, b);

	TEST_ASSERT(ia >= 0, "\"%s\" never issued", a);
	TEST_ASSERT(ib >= 0, "\"%s\" never issued", b);
	TEST_ASSERT(ia < ib, "\"%s\" issued after \"%s\"", a, b);
}

static bool log_ends_with(const struct kvm_model *m, const char *what)
{
	size_t n = strlen(m->log), w = strlen(what);

	return n >= w && !strcmp(m->log + n - w, what);
}

static void print_log(const struct kvm_model *m)
{
	const char *p = m->log, *sp;

	/* The sequence, a line of at most ~100 characters at a time. */
	while (*p) {
		sp = p + strlen(p) > p + 100 ? strchr(p + 100, ' ') : NULL;
		test_diag("  %.*s", sp ? (int)(sp - p) : (int)strlen(p), p);
		if (!sp)
			break;
		p = sp + 1;
	}
}

/*
 * The library's own vm_create / vm_vcpu_add / vm_launch for a VM kind,
 * run against the model, with two vCPUs: nothing refused, the guest
 * could run, every page of the image measured.
 */
static struct kvm_vm *model_launch(struct kvm_model *m, enum vm_kind k)
{
	struct kvm_vm *vm;

	kvm_model_start(m, vm_kind_info(k)->coco);
	vm = __vm_create(vm_kind_info(k)->type);
	TEST_ASSERT(vm, "vm_create on the model: %s", m->violation);
	vm_vcpu_add(vm, NULL);
	vm_vcpu_add(vm, NULL);
	vm_launch(vm);
	test_diag("sequence (%u populate pages):",
		  (unsigned int)m->populated);
	print_log(m);
	TEST_ASSERT(!m->violation[0], "KVM would refuse: %s", m->violation);
	TEST_ASSERT(!kvm_model_run_refused(m), "%s",
		    kvm_model_run_refused(m));
	TEST_ASSERT(m->populated, "nothing measured into the image");
	return vm;
}

/*
 * SEV-SNP: KVM_SEV_INIT2 before any vCPU; the image PRIVATE before
 * SNP_LAUNCH_START and its updates; every vCPU's registers set before
 * SNP_LAUNCH_FINISH encrypts its VMSA; nothing after that touches them.
 */
static void snp_launch_sequence(void)
{
	struct kvm_model m;
	struct kvm_vm *vm = model_launch(&m, VM_KIND_SNP);

	expect_before(&m, "SEV_INIT2", "CREATE_VCPU(0)");
	expect_before(&m, "SET_MEMORY_ATTRIBUTES(PRIVATE", "SNP_LAUNCH_START");
	expect_before(&m, "SNP_LAUNCH_START", "SNP_LAUNCH_UPDATE");
	expect_before(&m, "SNP_LAUNCH_UPDATE", "SNP_LAUNCH_FINISH");
	expect_before(&m, "CREATE_VCPU(1)", "SNP_LAUNCH_FINISH");
	TEST_ASSERT(m.vcpus[0].regs_set && m.vcpus[0].sregs_set &&
		    m.vcpus[1].regs_set && m.vcpus[1].sregs_set,
		    "a vCPU's registers were never set: its VMSA would "
		    "launch from the reset state");
	TEST_ASSERT(log_ends_with(&m, "SNP_LAUNCH_FINISH"), "something was "
		    "issued after SNP_LAUNCH_FINISH: %s",
		    strstr(m.log, "SNP_LAUNCH_FINISH"));
	vm_free(vm);
	kvm_model_stop(&m);
}

/*
 * TDX: capabilities, INIT_VM, then per vCPU GET_CPUID -> SET_CPUID2 ->
 * INIT_VCPU, the image PRIVATE and added with INIT_MEM_REGION
 * (measured), FINALIZE last; no register ioctl (the state is protected
 * from creation).
 */
static void tdx_launch_sequence(void)
{
	struct kvm_model m;
	struct kvm_vm *vm = model_launch(&m, VM_KIND_TDX);
	const char *p;

	expect_before(&m, "ENABLE_CAP", "CREATE_VCPU(0)");
	expect_before(&m, "TDX_CAPABILITIES", "TDX_INIT_VM");
	expect_before(&m, "TDX_INIT_VM", "CREATE_VCPU(0)");
	p = strstr(m.log, "CREATE_VCPU(1)");
	TEST_ASSERT(p && strstr(p, "TDX_GET_CPUID SET_CPUID2 TDX_INIT_VCPU"),
		    "vCPU 1 not set up GET_CPUID, SET_CPUID2, INIT_VCPU");
	expect_before(&m, "TDX_INIT_VCPU", "TDX_INIT_MEM_REGION");
	expect_before(&m, "SET_MEMORY_ATTRIBUTES(PRIVATE",
		      "TDX_INIT_MEM_REGION");
	TEST_ASSERT(!strstr(m.log, "REGS"), "a register ioctl on a TD vCPU");
	TEST_ASSERT(strstr(m.log, "measured"), "image not measured");
	TEST_ASSERT(log_ends_with(&m, "TDX_FINALIZE_VM"),
		    "FINALIZE_VM is not last");
	vm_free(vm);
	kvm_model_stop(&m);
}

/*
 * The model itself refuses what KVM refuses: each rule, broken on
 * purpose through the same hooks, gives KVM's errno and names the rule.
 */
static void model_refuses_wrong_orders(void)
{
	struct kvm_sev_cmd sc = { .id = GMEM_KVM_SEV_SNP_LAUNCH_START };
	struct kvm_tdx_cmd tc = { .id = GMEM_KVM_TDX_INIT_VCPU };
	struct kvm_model m;
	int kvm, vm, vcpu;

	kvm_model_start(&m, COCO_SNP);
	kvm = kvm_open("/dev/kvm", O_RDWR);
	vm = kvm_ioctl(kvm, KVM_CREATE_VM, (void *)KVM_X86_SNP_VM);
	sc.sev_fd = kvm_open("/dev/sev", O_RDWR);
	TEST_ASSERT(kvm_ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &sc) && errno ==
		    EINVAL, "LAUNCH_START before INIT2 accepted");
	test_diag("SNP: %s", m.violation);
	close(sc.sev_fd);
	close(vm);
	close(kvm);
	kvm_model_stop(&m);

	kvm_model_start(&m, COCO_TDX);
	kvm = kvm_open("/dev/kvm", O_RDWR);
	vm = kvm_ioctl(kvm, KVM_CREATE_VM, (void *)KVM_X86_TDX_VM);
	TEST_ASSERT(kvm_ioctl(vm, KVM_CREATE_VCPU, (void *)0) < 0 &&
		    errno == EIO, "TD vCPU before INIT_VM accepted");
	test_diag("TDX: %s", m.violation);
	m.violation[0] = 0;
	m.td_initialized = m.split_irqchip = true;
	vcpu = kvm_ioctl(vm, KVM_CREATE_VCPU, (void *)0);
	TEST_ASSERT(kvm_ioctl(vcpu, KVM_MEMORY_ENCRYPT_OP, &tc) &&
		    errno == EINVAL, "INIT_VCPU without X2APIC accepted");
	test_diag("TDX: %s", m.violation);
	close(vcpu);
	close(vm);
	close(kvm);
	kvm_model_stop(&m);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(ghcb_psc_request),
	KTAP_CASE(ghcb_psc_response),
	KTAP_CASE(ghcb_register_gpa),
	KTAP_CASE(snp_cbit_and_leaf_bits),
	KTAP_CASE(tdx_shared_bit_and_leaf_bits),
	KTAP_CASE(tdx_map_gpa_registers),
	KTAP_CASE(snp_policy_validation),
	KTAP_CASE(ghcb_ioio_exit_fields),
	KTAP_CASE(tdx_io_and_accept_registers),
	KTAP_CASE(ghcb_psc_entries),
	KTAP_CASE(populate_loop_resumes_and_stops),
	KTAP_CASE(tdx_cpuid_filtered_by_capabilities),
	KTAP_CASE(vm_type_skip_reasons),
	KTAP_CASE(vm_type_names),
	KTAP_CASE(tdx_vcpu_setup_order),
	KTAP_CASE(tdx_get_cpuid_grows_on_bare_e2big),
	KTAP_CASE(system_event_decoding),
	KTAP_CASE(guest_state_rules),
	KTAP_CASE(convert_bench_plan_replays),
	KTAP_CASE(fault_bench_passes_replay),
	KTAP_CASE(model_refuses_wrong_orders),
	KTAP_CASE(snp_launch_sequence),
	KTAP_CASE(tdx_launch_sequence),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
