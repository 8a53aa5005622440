/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest exception entry: 256 stubs, 16 bytes apart, each pushing a dummy
 * error code where the CPU pushes none, then the vector.  The common path
 * saves the GPRs and hands the frame to guest_exception_handler(), which
 * reports it to the host and never returns.
 */
	.text
	.align 16
	.globl guest_idt_stubs
guest_idt_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || \
	    (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp guest_exception_common
	.set vec, vec + 1
	.endr

guest_exception_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	andq $-16, %rsp
	call guest_exception_handler
1:	hlt
	jmp 1b

/* guest_code's return address: report UCALL_DONE on an aligned stack. */
	.globl guest_code_return
guest_code_return:
	andq $-16, %rsp
	call guest_returned
2:	hlt
	jmp 2b

	.section .note.GNU-stack,"",@progbits
