// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the VM-type differences (runs inside the guest: no libc,
 * general-purpose registers only).  The SNP and TDX paths follow the GHCB
 * specification (AMD 56421) and the TDX GHCI, as Linux 7.3 implements
 * them in arch/x86/coco; no hardware here runs them (see README).
 */
#include "coco_guest.h"
#include "compat.h"
#include "processor.h"
#include "test_util.h"

/* ---- Page tables ---------------------------------------------------------- */

static uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

static void invlpg(uint64_t gva)
{
	__asm__ __volatile__("invlpg (%0)" :: "r"(gva) : "memory");
}

/* Table addresses never carry the C-bit or shared bit here. */
static uint64_t table_addr(uint64_t pte)
{
	uint64_t mask = PTE_ADDR_MASK;

	if (guest_vm.coco != COCO_NONE)
		mask &= ~(1ULL << guest_vm.coco_bit);
	return pte & mask;
}

/* The leaf entry mapping gva and its size; NULL when unmapped. */
static uint64_t *leaf_of(uint64_t gva, uint64_t *leaf_size)
{
	uint64_t table = table_addr(read_cr3()), *pte;
	int level;

	for (level = 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		pte = (uint64_t *)table + ((gva >> shift) & 511);
		if (!(*pte & PTE_P))
			return 0;
		if (level == 1 || (*pte & PTE_PS)) {
			*leaf_size = 1ULL << shift;
			return pte;
		}
		table = table_addr(*pte);
	}
	return 0;
}

uint64_t guest_pte_update(uint64_t gva, uint64_t size, uint64_t set,
			  uint64_t clear)
{
	uint64_t a = gva, leaf_size, *pte, p;

	while (a < gva + size) {
		pte = leaf_of(a, &leaf_size);
		if (!pte || (a & (leaf_size - 1)) ||
		    a + leaf_size > gva + size)
			return GUEST_EPTE;
		*pte = (*pte & ~clear) | set;
		for (p = a; p < a + leaf_size; p += SZ_4K)
			invlpg(p);
		a += leaf_size;
	}
	return 0;
}

/* PTE bits that make a leaf map the private (or shared) side. */
static void enc_bits(bool private, uint64_t *set, uint64_t *clear)
{
	uint64_t bit = 1ULL << guest_vm.coco_bit;

	*set = coco_leaf_bits(guest_vm.coco, private, guest_vm.coco_bit);
	*clear = bit & ~*set;
}

/* ---- SEV-SNP ---------------------------------------------------------------- */
#define MSR_AMD64_SEV_ES_GHCB	0xc0010130


static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" :: "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)) : "memory");
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void vmgexit(void)
{
	__asm__ __volatile__("rep; vmmcall" ::: "memory");
}

/* One GHCB MSR protocol exchange: the response. */
static uint64_t ghcb_msr_call(uint64_t req)
{
	uint64_t resp;

	wrmsr(MSR_AMD64_SEV_ES_GHCB, req);
	vmgexit();
	resp = rdmsr(MSR_AMD64_SEV_ES_GHCB);
	/* Later GHCB-page exits need the MSR to hold the page again. */
	if (this_vcpu()->ghcb_ready)
		wrmsr(MSR_AMD64_SEV_ES_GHCB, this_vcpu()->ghcb_gpa);
	return resp;
}

static void snp_terminate(uint64_t reason)
{
	/* GHCB_MSR_TERM_REQ (0x100), reason set 1: KVM_EXIT_SYSTEM_EVENT. */
	for (;;) {
		wrmsr(MSR_AMD64_SEV_ES_GHCB, 0x100 | (1ULL << 12) |
			  ((reason & 0xff) << 16));
		vmgexit();
	}
}

static void ghcb_register(struct guest_vcpu_info *v)
{
	uint64_t resp;

	resp = ghcb_msr_call(ghcb_msr_reg_gpa_req(v->ghcb_gpa >> 12));
	if ((resp & 0xfff) != GHCB_MSR_REG_GPA_RESP ||
	    (resp >> 12) != (v->ghcb_gpa >> 12))
		snp_terminate(1);
	v->ghcb_ready = 1;
	wrmsr(MSR_AMD64_SEV_ES_GHCB, v->ghcb_gpa);
}

static void ghcb_set(uint8_t *ghcb, unsigned int off, uint64_t val)
{
	*(volatile uint64_t *)(ghcb + off) = val;
	ghcb[ghcb_valid_byte(off)] |= ghcb_valid_mask(off);
}

/* Start a GHCB-page exit: clear the valid bitmap, set the usage. */
static uint8_t *ghcb_begin(struct guest_vcpu_info *v)
{
	uint8_t *ghcb = (uint8_t *)v->ghcb_gpa;
	unsigned int i;

	if (!v->ghcb_ready)
		ghcb_register(v);
	for (i = 0; i < 16; i++)
		ghcb[GHCB_OFF_VALID_BITMAP + i] = 0;
	*(volatile uint16_t *)(ghcb + GHCB_OFF_PROTOCOL) = 2;
	*(volatile uint32_t *)(ghcb + GHCB_OFF_USAGE) = 0;
	return ghcb;
}

void snp_port_out32(uint16_t port, uint32_t val)
{
	struct guest_vcpu_info *v = this_vcpu();
	uint8_t *ghcb = ghcb_begin(v);

	ghcb_set(ghcb, GHCB_OFF_RAX, val);
	ghcb_set(ghcb, GHCB_OFF_SW_EXIT_CODE, SVM_EXIT_IOIO);
	ghcb_set(ghcb, GHCB_OFF_SW_EXIT_INFO_1, ghcb_ioio_out32_info(port));
	ghcb_set(ghcb, GHCB_OFF_SW_EXIT_INFO_2, 0);
	wrmsr(MSR_AMD64_SEV_ES_GHCB, v->ghcb_gpa);
	vmgexit();
	/* SW_EXIT_INFO_1[31:0] != 0: the host refused the exit. */
	if ((uint32_t)*(volatile uint64_t *)(ghcb + GHCB_OFF_SW_EXIT_INFO_1))
		snp_terminate(2);
}

/* PVALIDATE one 4K page: 0, or GUEST_EPVAL | rc (CF = no update). */
static uint64_t pvalidate(uint64_t gva, bool validate)
{
	uint64_t rc;
	uint8_t cf;

	__asm__ __volatile__(".byte 0xf2, 0x0f, 0x01, 0xff\n\tsetc %1"
			     : "=a"(rc), "=qm"(cf)
			     : "a"(gva), "c"(0), "d"((uint32_t)validate)
			     : "memory", "cc");
	if (rc || cf)
		return GUEST_EPVAL | (rc & 0xff) | ((uint64_t)cf << 8);
	return 0;
}

/*
 * Page-state change through the GHCB page (SVM_VMGEXIT_PSC), as Linux
 * guests do it: up to 253 4K entries per exit in the shared buffer; KVM
 * advances hdr.cur_entry and may return before the end, so resend until
 * every entry is done.  Each run of entries reaches the VMM as one
 * KVM_HC_MAP_GPA_RANGE exit.
 */
static uint64_t snp_psc(uint64_t gpa, uint64_t size, bool to_private)
{
	struct guest_vcpu_info *v = this_vcpu();
	enum snp_psc_op op = to_private ? SNP_PSC_PRIVATE : SNP_PSC_SHARED;
	uint64_t a = gpa, end = gpa + size, err;
	volatile struct snp_psc_hdr *hdr;
	volatile uint64_t *entries;
	uint8_t *ghcb;
	unsigned int n, tries;

	while (a < end) {
		ghcb = ghcb_begin(v);
		hdr = (void *)(ghcb + GHCB_OFF_SHARED_BUF);
		entries = (void *)(ghcb + GHCB_OFF_SHARED_BUF + sizeof(*hdr));
		for (n = 0; n < SNP_PSC_MAX_ENTRIES && a < end; n++) {
			entries[n] = snp_psc_entry(a >> 12, op, false);
			a += SZ_4K;
		}
		hdr->cur_entry = 0;
		hdr->end_entry = n - 1;
		hdr->reserved = 0;
		for (tries = 0; hdr->cur_entry <= hdr->end_entry; tries++) {
			if (tries > 2 * SNP_PSC_MAX_ENTRIES)
				return GUEST_EPSC | 0xff;
			ghcb_begin(v);
			ghcb_set(ghcb, GHCB_OFF_SW_EXIT_CODE, SVM_VMGEXIT_PSC);
			ghcb_set(ghcb, GHCB_OFF_SW_EXIT_INFO_1, 0);
			ghcb_set(ghcb, GHCB_OFF_SW_EXIT_INFO_2, 0);
			ghcb_set(ghcb, GHCB_OFF_SW_SCRATCH,
				 v->ghcb_gpa + GHCB_OFF_SHARED_BUF);
			wrmsr(MSR_AMD64_SEV_ES_GHCB, v->ghcb_gpa);
			vmgexit();
			err = *(volatile uint64_t *)(ghcb +
						     GHCB_OFF_SW_EXIT_INFO_2);
			if (err)
				return GUEST_EPSC | (err & 0xff);
		}
	}
	return 0;
}

static uint64_t snp_pvalidate_range(uint64_t gpa, uint64_t size,
				    bool validate)
{
	uint64_t a, r;

	for (a = gpa; a < gpa + size; a += SZ_4K) {
		r = pvalidate(a, validate);
		if (r)
			return r;
	}
	return 0;
}

/* ---- TDX ---------------------------------------------------------------------- */
#define TDVMCALL_REGS_R10_R15	0xfc00ULL
#define TDVMCALL_STATUS_RETRY	1ULL

/*
 * TDG.VP.VMCALL: the VMCALL's status (R10) comes back, R11's output in
 * a->r11.  TDCALL's own status is RAX: non-zero means the TDX module
 * refused the call itself, which Linux treats as fatal; here it comes
 * back as GUEST_ETDCALL | its class (RAX[39:32]) so that no caller
 * mistakes it for a host answer.
 */
static uint64_t tdvmcall(struct tdvmcall_regs *a)
{
	register uint64_t r10 __asm__("r10") = a->r10;
	register uint64_t r11 __asm__("r11") = a->r11;
	register uint64_t r12 __asm__("r12") = a->r12;
	register uint64_t r13 __asm__("r13") = a->r13;
	register uint64_t r14 __asm__("r14") = a->r14;
	register uint64_t r15 __asm__("r15") = a->r15;
	uint64_t rax = TDG_VP_VMCALL, rcx = TDVMCALL_REGS_R10_R15;

	__asm__ __volatile__(".byte 0x66, 0x0f, 0x01, 0xcc"	/* tdcall */
			     : "+a"(rax), "+c"(rcx), "+r"(r10), "+r"(r11),
			       "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
			     :: "rbx", "rdx", "rsi", "rdi", "r8", "r9",
				"memory");
	if (rax)
		return GUEST_ETDCALL | (rax >> 32 & 0xff);
	a->r11 = r11;
	return r10;
}

static uint64_t tdcall_accept(uint64_t gpa)
{
	uint64_t rax = TDG_MEM_PAGE_ACCEPT, rcx = tdx_accept_rcx(gpa, 0);

	__asm__ __volatile__(".byte 0x66, 0x0f, 0x01, 0xcc"
			     : "+a"(rax), "+c"(rcx) :: "rdx", "r8", "r9",
			       "r10", "r11", "memory");
	return rax;
}

void tdx_port_out32(uint16_t port, uint32_t val)
{
	struct tdvmcall_regs a = tdx_io_out_regs(port, 4, val);

	/*
	 * The ucall channel itself: a refused TDCALL cannot be reported
	 * through it.  Stop with #UD (the host sees the vCPU die, never a
	 * silently lost ucall).
	 */
	if ((tdvmcall(&a) & ~0xffULL) == GUEST_ETDCALL)
		__asm__ __volatile__("ud2");
}

static uint64_t tdx_map_gpa(uint64_t gpa, uint64_t size, bool to_private)
{
	struct tdx_map_gpa_regs r;
	struct tdvmcall_regs a;
	uint64_t start = gpa, end = gpa + size, st;
	unsigned int tries = 0;

	/* GPAW = shared bit + 1 (tdx_shared_bit() inverted). */
	while (start < end) {
		r = tdx_map_gpa_pack(start, end - start, !to_private,
				     guest_vm.coco_bit + 1);
		a = (struct tdvmcall_regs){ .r10 = r.r10, .r11 = r.r11,
				       .r12 = r.r12, .r13 = r.r13 };
		st = tdvmcall(&a);
		if (!st)
			return 0;
		if ((st & ~0xffULL) == GUEST_ETDCALL)
			return st;
		if (st != TDVMCALL_STATUS_RETRY || ++tries > 3)
			return GUEST_EMAPGPA | (st & 0xff);
		/* R11: where to resume, with the shared bit as sent. */
		a.r11 &= ~(1ULL << guest_vm.coco_bit);
		if (a.r11 < start || a.r11 >= end)
			return GUEST_EMAPGPA | 0xff;
		if (a.r11 > start)
			tries = 0;
		start = a.r11;
	}
	return 0;
}

static uint64_t tdx_accept_range(uint64_t gpa, uint64_t size)
{
	uint64_t a, st;

	for (a = gpa; a < gpa + size; a += SZ_4K) {
		st = tdcall_accept(a);
		if (st)
			return GUEST_EACCEPT | (st >> 32 & 0xff);
	}
	return 0;
}

/* ---- Dispatch -------------------------------------------------------------------- */

uint64_t guest_convert_request(uint64_t gpa, uint64_t size, bool to_private)
{
	switch (guest_vm.coco) {
	case COCO_SNP:
		return snp_psc(gpa, size, to_private);
	case COCO_TDX:
		return tdx_map_gpa(gpa, size, to_private);
	default:
		return kvm_hypercall(KVM_HC_MAP_GPA_RANGE, gpa, size / SZ_4K,
				     to_private ? KVM_MAP_GPA_RANGE_ENCRYPTED :
				     KVM_MAP_GPA_RANGE_DECRYPTED, 0,
				     guest_vm.amd);
	}
}

uint64_t guest_accept(uint64_t gpa, uint64_t size)
{
	switch (guest_vm.coco) {
	case COCO_SNP:
		return snp_pvalidate_range(gpa, size, true);
	case COCO_TDX:
		return tdx_accept_range(gpa, size);
	default:
		return 0;
	}
}

/*
 * The orders Linux uses (arch/x86/mm/pat/set_memory.c with the
 * enc_status_change_prepare/finish hooks of arch/x86/coco):
 *  SNP to shared:   PVALIDATE rescind, PSC shared, then the PTE;
 *  SNP to private:  the PTE, then PSC private and PVALIDATE;
 *  TDX to private:  MapGPA private and ACCEPT, then the PTE (no private
 *                   mapping points at a page not yet accepted);
 *  TDX to shared:   the PTE, then MapGPA shared (no private mapping
 *                   points at a page already shared).
 */
static uint64_t snp_convert(uint64_t gpa, uint64_t size, bool to_private,
			    uint64_t set, uint64_t clear)
{
	uint64_t r;

	if (!to_private) {
		r = snp_pvalidate_range(gpa, size, false);
		if (!r)
			r = snp_psc(gpa, size, false);
		return r ? r : guest_pte_update(gpa, size, set, clear);
	}
	r = guest_pte_update(gpa, size, set, clear);
	if (!r)
		r = snp_psc(gpa, size, true);
	return r ? r : snp_pvalidate_range(gpa, size, true);
}

static uint64_t tdx_convert(uint64_t gpa, uint64_t size, bool to_private,
			    uint64_t set, uint64_t clear)
{
	uint64_t r;

	if (!to_private) {
		r = guest_pte_update(gpa, size, set, clear);
		return r ? r : tdx_map_gpa(gpa, size, false);
	}
	r = tdx_map_gpa(gpa, size, true);
	if (!r)
		r = tdx_accept_range(gpa, size);
	return r ? r : guest_pte_update(gpa, size, set, clear);
}

uint64_t guest_convert(uint64_t gpa, uint64_t size, bool to_private)
{
	uint64_t set, clear;

	if (guest_vm.coco == COCO_NONE)
		return guest_convert_request(gpa, size, to_private);
	enc_bits(to_private, &set, &clear);
	if (guest_vm.coco == COCO_SNP)
		return snp_convert(gpa, size, to_private, set, clear);
	return tdx_convert(gpa, size, to_private, set, clear);
}
