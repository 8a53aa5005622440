/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure parts of confidential VMs (SEV-SNP, TDX): encodings a guest or
 * a VMM computes, kept free of I/O so they are unit-tested against values
 * derived by hand from the documentation (tests/coco_unit_test.c).
 * Sources: arch/x86/include/asm/sev-common.h, include/linux/psp-sev.h,
 * arch/x86/include/asm/shared/tdx.h and the GHCB / TDX GHCI specs, as of
 * Linux 7.3.
 */
#ifndef GMEM_COCO_H
#define GMEM_COCO_H

#include <stdbool.h>
#include <stdint.h>

/* ---- SEV-SNP ------------------------------------------------------------ */
#define GHCB_MSR_REG_GPA_REQ	0x012ULL
#define GHCB_MSR_REG_GPA_RESP	0x013ULL
#define GHCB_MSR_PSC_REQ	0x014ULL
#define GHCB_MSR_PSC_RESP	0x015ULL

enum snp_psc_op {
	SNP_PSC_PRIVATE = 1,
	SNP_PSC_SHARED = 2,
};

/* Page-state change request: GHCBData[55:52] op, [51:12] gfn (40 bits). */
uint64_t ghcb_msr_psc_req(uint64_t gfn, enum snp_psc_op op);
/*
 * Decode a PSC response MSR: true if it is a PSC response with error 0;
 * *error gets GHCBData[63:32] (bit 63 alone = the generic error).
 */
bool ghcb_msr_psc_resp_ok(uint64_t msr, uint32_t *error);
/* Register the GHCB page at gfn: GHCBData[63:12] = gfn. */
uint64_t ghcb_msr_reg_gpa_req(uint64_t gfn);

/* GHCB page: the save-area fields a guest sets for an exit. */
#define GHCB_OFF_RAX		0x1f8
#define GHCB_OFF_SW_EXIT_CODE	0x390
#define GHCB_OFF_SW_EXIT_INFO_1	0x398
#define GHCB_OFF_SW_EXIT_INFO_2	0x3a0
#define GHCB_OFF_VALID_BITMAP	0x3f0
#define GHCB_OFF_PROTOCOL	0xffa
#define GHCB_OFF_USAGE		0xffc
#define GHCB_OFF_SW_SCRATCH	0x3a8
#define GHCB_OFF_SHARED_BUF	0x800
#define SVM_EXIT_IOIO		0x7bULL
#define SVM_VMGEXIT_PSC		0x80000010ULL
/* Page-state change in the GHCB shared buffer: 8-byte header + entries. */
#define SNP_PSC_MAX_ENTRIES	253
struct snp_psc_hdr {
	uint16_t cur_entry;
	uint16_t end_entry;
	uint32_t reserved;
};
/* Entry: cur_page 11:0, gfn 51:12, operation 55:52, page size bit 56. */
uint64_t snp_psc_entry(uint64_t gfn, enum snp_psc_op op, bool size_2m);
/* Byte of the valid bitmap, and the bit in it, for a field's offset. */
unsigned int ghcb_valid_byte(unsigned int field_off);
uint8_t ghcb_valid_mask(unsigned int field_off);
/* SW_EXIT_INFO_1 of a non-string 32-bit OUT (SVM IOIO exit info). */
uint64_t ghcb_ioio_out32_info(uint16_t port);

/* C-bit position: CPUID 0x8000001F EBX[5:0]. */
unsigned int snp_cbit_from_cpuid(uint32_t ebx);

/* Policy bits (include/linux/psp-sev.h). */
#define SNP_POLICY_SMT		(1ULL << 16)
#define SNP_POLICY_RSVD_MBO	(1ULL << 17)
#define SNP_POLICY_DEBUG	(1ULL << 19)
/*
 * A launch policy KVM will take: a subset of the supported bits (device
 * attr KVM_X86_SNP_POLICY_BITS), RSVD_MBO set, SMT set when SMT is on.
 * NULL if valid, else why not.
 */
const char *snp_policy_check(uint64_t policy, uint64_t supported,
			     bool smt_on);

/* ---- TDX ------------------------------------------------------------------ */
#define TDG_VP_VMCALL		0ULL
#define TDVMCALL_MAP_GPA	0x10001ULL

#define TDVMCALL_EXIT_IO_INSTRUCTION	30ULL	/* EXIT_REASON_IO_INSTRUCTION */
#define TDG_MEM_PAGE_ACCEPT		6ULL

struct tdvmcall_regs {
	uint64_t r10, r11, r12, r13, r14, r15;
};
/* TDG.VP.VMCALL<Instruction.IO>: a write of size bytes to port. */
struct tdvmcall_regs tdx_io_out_regs(uint16_t port, unsigned int size,
				     uint32_t val);
/* TDG.MEM.PAGE.ACCEPT's RCX: gpa with the level in bits 2:0 (0 = 4K). */
uint64_t tdx_accept_rcx(uint64_t gpa, unsigned int level);

/* Shared bit from the guest physical address width (48 -> 47, 52 -> 51). */
unsigned int tdx_shared_bit(unsigned int gpaw);

struct tdx_map_gpa_regs {
	uint64_t r10, r11, r12, r13;
};
/* TDG.VP.VMCALL<MapGPA>: R12 = gpa, with the shared bit to go shared. */
struct tdx_map_gpa_regs tdx_map_gpa_pack(uint64_t gpa, uint64_t size,
					 bool to_shared, unsigned int gpaw);

/* ---- Page tables ------------------------------------------------------------ */
enum coco_kind {
	COCO_NONE,	/* default and SW_PROTECTED VMs: no encoding */
	COCO_SNP,	/* C-bit set on private leaves */
	COCO_TDX,	/* shared bit set on shared leaves */
};

/* Extra bits of a leaf PTE mapping private or shared memory. */
uint64_t coco_leaf_bits(enum coco_kind kind, bool private,
			unsigned int bit_pos);

/* ---- Launch helpers (pure: the ioctl is a callback) ----------------------- */
/*
 * One call of a populate command (SNP_LAUNCH_UPDATE, TDX_INIT_MEM_REGION):
 * KVM may process part of the range and write back what is left, so the
 * step advances *gpa, *src and *pages itself.  0 or -errno.
 */
typedef int (*coco_populate_fn)(void *ctx, uint64_t *gpa, uint64_t *src,
				uint64_t *pages);
/*
 * Call step until no page is left: -EINTR and -EAGAIN retry (both
 * commands return them on a pending signal or contention), a call that
 * succeeds without progress is -EIO after COCO_POPULATE_MAX_IDLE tries.
 * *calls counts the calls made.  0 or the -errno that stopped it.
 */
#define COCO_POPULATE_MAX_IDLE	1000
int coco_populate(coco_populate_fn step, void *ctx, uint64_t gpa,
		  uint64_t src, uint64_t pages, unsigned int *calls);

struct kvm_cpuid2;
/*
 * The CPUID a TD asks for in KVM_TDX_INIT_VM: for every leaf the TDX
 * module lets userspace configure (caps, from KVM_TDX_CAPABILITIES), the
 * supported values masked with the configurable bits; leaves caps lacks
 * are dropped (KVM refuses them), TSX (HLE, RTM) and WAITPKG cleared
 * (KVM refuses them), and CPUID.0x80000008:EAX[23:16] = gpaw (48 or 52:
 * KVM's interface for GPAW).  out must hold caps->nent entries.  NULL,
 * or what is wrong.
 */
const char *tdx_filter_cpuid(const struct kvm_cpuid2 *supported,
			     const struct kvm_cpuid2 *caps,
			     struct kvm_cpuid2 *out, unsigned int gpaw);

#endif /* GMEM_COCO_H */
