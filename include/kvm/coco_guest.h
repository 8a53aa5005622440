/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of what differs between VM types: the guest->host channel,
 * conversion requests, accepting private memory and the private/shared
 * bit of the guest's own page tables.  Every function dispatches on
 * guest_vm.coco, so one guest binary runs in default, SW_PROTECTED,
 * SEV-SNP and TDX VMs:
 *
 *   channel     none: OUT          SNP: GHCB page, IOIO exit
 *                                  TDX: TDG.VP.VMCALL<Instruction.IO>
 *   conversion  none: KVM_HC_MAP_GPA_RANGE hypercall
 *               SNP: GHCB page-state change, SVM_VMGEXIT_PSC (+ PVALIDATE)
 *               TDX: TDG.VP.VMCALL<MapGPA> (+ TDG.MEM.PAGE.ACCEPT)
 *
 * Per-vCPU data (struct guest_vcpu_info) sits at the top of the vCPU's
 * stack, which is GUEST_STACK_BYTES long and aligned to its size: the
 * stack pointer finds it, no segment base is needed, and the page is
 * one every ucall touches anyway (on PVM each further page a ucall
 * touches added 10-20 us to its round trip).  The pages the host
 * reads (ucall, GHCB) are in the shared window of the system slot.
 */
#ifndef GMEM_COCO_GUEST_H
#define GMEM_COCO_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "coco.h"

/* VM-wide facts, copied into every vCPU's info before launch. */
struct guest_vm_info {
	uint64_t coco;		/* enum coco_kind */
	uint64_t coco_bit;	/* SNP C-bit / TDX shared bit */
	uint64_t amd;		/* hypercall flavour: vmmcall (1) or vmcall */
	/*
	 * Send ucalls from the vCPU's shared page, not the stack: always in
	 * confidential VMs, on request elsewhere (tests of that path).  Not
	 * the default: on PVM every page a ucall touches costs ~20 us.
	 */
	uint64_t ucall_shared;
};

#define GUEST_STACK_BYTES	(64 * 1024)
#define GUEST_VCPU_INFO_BYTES	128

struct guest_vcpu_info {
	uint64_t self;		/* GVA of this struct */
	uint64_t id;
	uint64_t ucall_gpa;	/* shared page for struct ucall */
	uint64_t ghcb_gpa;	/* SNP: this vCPU's GHCB page (shared) */
	uint64_t ghcb_ready;	/* SNP: GHCB GPA registered */
	struct guest_vm_info vm;
};

/* The VM-wide facts, as the running vCPU sees them. */
#define guest_vm	(this_vcpu()->vm)


/* Errors the guest-side helpers return (besides a hypercall's value). */
#define GUEST_EPTE	0x70746500ULL	/* range not mapped at a usable leaf */
#define GUEST_EPSC	0x70736300ULL	/* SNP PSC answered an error */
#define GUEST_EPVAL	0x70766c00ULL	/* PVALIDATE failed (+ its rc) */
#define GUEST_EACCEPT	0x61637000ULL	/* TDX ACCEPT failed */
#define GUEST_EMAPGPA	0x6d617000ULL	/* TDX MapGPA failed */
#define GUEST_ETDCALL	0x74646300ULL	/* TDCALL refused (+ RAX[39:32]) */

/* Callable from guest code: no SSE (see GUEST_CODE_BEGIN in ucall.h). */
#pragma GCC push_options
#pragma GCC target("general-regs-only")

static inline __attribute__((always_inline)) struct guest_vcpu_info *
this_vcpu(void)
{
	uint64_t sp;

	__asm__ __volatile__("mov %%rsp, %0" : "=r"(sp));
	return (struct guest_vcpu_info *)((sp | (GUEST_STACK_BYTES - 1)) + 1 -
					  GUEST_VCPU_INFO_BYTES);
}

void snp_port_out32(uint16_t port, uint32_t val);
void tdx_port_out32(uint16_t port, uint32_t val);

/*
 * 32-bit port write through the VM type's channel.  Inline so that a
 * constant port stays an immediate: PVM emulates "out %eax, %dx" through
 * its full instruction emulator, ~20 us slower than "out %eax, $imm".
 */
static inline __attribute__((always_inline)) void
guest_port_out32(uint16_t port, uint32_t val)
{
	if (guest_vm.coco == COCO_SNP)
		snp_port_out32(port, val);
	else if (guest_vm.coco == COCO_TDX)
		tdx_port_out32(port, val);
	else
		__asm__ __volatile__("outl %0, %w1" :: "a"(val), "Nd"(port)
				     : "memory");
}

#pragma GCC pop_options
/*
 * Convert [gpa, gpa + size) the way this VM type's guest does: request,
 * validate/accept, page-table bit.  0 or an error (hypercall value or
 * GUEST_E*).
 */
uint64_t guest_convert(uint64_t gpa, uint64_t size, bool to_private);
/* Only the request to the host (the timed part of a conversion). */
uint64_t guest_convert_request(uint64_t gpa, uint64_t size, bool to_private);
/* Make private memory usable: SNP PVALIDATE, TDX ACCEPT; 0 elsewhere. */
uint64_t guest_accept(uint64_t gpa, uint64_t size);
/*
 * Set and clear bits of the leaf entries mapping [gva, gva + size) and
 * flush them from the TLB; GUEST_EPTE when a page is unmapped or its leaf
 * is larger than the range allows.
 */
uint64_t guest_pte_update(uint64_t gva, uint64_t size, uint64_t set,
			  uint64_t clear);

#endif /* GMEM_COCO_GUEST_H */
