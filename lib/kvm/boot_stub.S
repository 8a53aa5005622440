/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reset-vector page of vCPUs that start like TDX vCPUs (see
 * include/kvm/boot_stub.h).  Copied to BOOT_STUB_GPA, never run in place:
 * every absolute address is computed for that location.
 */
#include "boot_stub.h"

#define ABS(x)	(BOOT_STUB_GPA + ((x) - boot_stub_page))

	.section .rodata.boot_stub, "a"
	.balign 4096
	.globl boot_stub_page
boot_stub_page:
	.code32
boot32:
	cli
	movl ABS(boot_params_ptr), %ebx
	lgdtl BP_GDTR(%ebx)
	movl BP_CR4(%ebx), %eax
	movl %eax, %cr4
	movl BP_CR3(%ebx), %eax
	movl %eax, %cr3
	/*
	 * A TD starts with EFER.LME set; set it where it is not (tests
	 * entering the stub on emulators that mishandle LME with paging
	 * off).  Paging on then activates long mode.
	 */
	movl $0xc0000080, %ecx		/* MSR_EFER */
	rdmsr
	btl $8, %eax
	jc 1f
	btsl $8, %eax
	wrmsr
1:
	movl BP_CR0(%ebx), %eax
	movl %eax, %cr0
	ljmpl $0x08, $ABS(boot64)

	.code64
boot64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	/* Upper halves are undefined across the mode switch. */
	movl %ebx, %ebx
	movl %esi, %esi
	lidtq BP_IDTR(%rbx)
	imulq $BV_SIZE, %rsi, %rax
	leaq BP_VCPU(%rbx, %rax), %rbp
	ltrw BV_TR(%rbp)
	movq BV_RSP(%rbp), %rsp
	movq BV_RDI(%rbp), %rdi
	movq BV_RSI(%rbp), %rsi
	movq BV_RDX(%rbp), %rdx
	movq BV_RCX(%rbp), %rcx
	movq BV_R8(%rbp), %r8
	movq BV_R9(%rbp), %r9
	jmpq *BV_RIP(%rbp)

	.org BOOT_STUB_PARAMS_OFF
boot_params_ptr:
	.long 0
	.org BOOT_STUB_RESET_OFF
	.code32
reset_vector:
	jmp boot32
	.org 4096

	.section .note.GNU-stack,"",@progbits
