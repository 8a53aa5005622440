/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A boot stub for vCPUs whose registers userspace cannot set: a TDX vCPU
 * starts at the reset vector 0xFFFFFFF0 in 32-bit protected mode with
 * paging off and EFER.LME set, ESI = vCPU index (TDX module ABI).  The
 * stub page (lib/kvm/boot_stub.S) sits at BOOT_STUB_GPA, finds the parameter
 * block through the pointer at BOOT_STUB_PARAMS_OFF, loads GDT, CR4, CR3,
 * CR0 (entering long mode), far-jumps to its 64-bit half, loads IDT,
 * TR, stack and argument registers from the vCPU's entry and jumps
 * to the guest code: the same state x86_vcpu_setup() gives other vCPUs
 * through KVM_SET_SREGS/KVM_SET_REGS.
 *
 * The offsets below are shared with the assembly; static asserts in
 * lib/x86.c tie them to struct boot_params.
 */
#ifndef GMEM_BOOT_STUB_H
#define GMEM_BOOT_STUB_H

#define BOOT_STUB_GPA		0xfffff000
#define BOOT_STUB_PARAMS_OFF	0xfe0
#define BOOT_STUB_RESET_OFF	0xff0

#define BP_CR0		0
#define BP_CR3		8
#define BP_CR4		16
#define BP_GDTR		24	/* u16 limit, u64 base (packed) */
#define BP_IDTR		40
#define BP_VCPU		64
#define BV_RIP		0
#define BV_RSP		8
#define BV_RDI		16
#define BV_RSI		24
#define BV_RDX		32
#define BV_RCX		40
#define BV_R8		48
#define BV_R9		56
#define BV_TR		64
#define BV_SIZE		72

#ifndef __ASSEMBLER__
#include <stdint.h>

struct boot_desc {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

struct boot_vcpu {
	uint64_t rip, rsp, rdi, rsi, rdx, rcx, r8, r9;
	uint64_t tr;		/* selector */
};

struct boot_params {
	uint64_t cr0, cr3, cr4;
	struct boot_desc gdtr;
	uint8_t pad0[6];
	struct boot_desc idtr;
	uint8_t pad1[14];
	struct boot_vcpu vcpu[];
};

/* The stub page, 4096 bytes (lib/kvm/boot_stub.S). */
extern const char boot_stub_page[];
#endif

#endif /* GMEM_BOOT_STUB_H */
