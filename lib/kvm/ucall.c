// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the ucall channel (runs inside the guest: no libc).
 */
#include <stdarg.h>

#include "coco_guest.h"
#include "processor.h"
#include "ucall.h"

/*
 * ucall_send(uc): OUT of uc's address to UCALL_PORT.  The first five
 * bytes are a patch site: x86.c writes "jmp ucall_send_shared" there for
 * VMs whose ucalls go through the shared window.  Kept in this file, next
 * to ucall(): on PVM every further page a ucall touches costs.
 */
__asm__(".text\n"
	".globl ucall_send\n"
	".globl ucall_send_patch\n"
	".type ucall_send, @function\n"
	"ucall_send:\n"
	"ucall_send_patch:\n"
	"	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"	/* 5-byte nop */
	"	movl %edi, %eax\n"
	"	outl %eax, $0xe7\n"
	"	ret\n"
	".size ucall_send, . - ucall_send\n");

/*
 * The send path (ucall_send) writes the ucall's
 * address (identity-mapped below 4 GiB) to UCALL_PORT with one OUT and
 * reads no memory: on PVM every extra page a ucall touches costs 10-20
 * us.  A confidential guest's stack is private, unreadable by the host,
 * and it has no plain OUT: for those VMs (and tests of this path) the
 * host patches ucall_send to jump here, where the ucall is copied to the
 * vCPU's page in the shared window and sent through the VM type's
 * channel.
 */
void ucall_send_shared(struct ucall *uc);
void ucall_send_shared(struct ucall *uc)
{
	struct guest_vcpu_info *v = this_vcpu();
	struct ucall *buf = (struct ucall *)v->ucall_gpa;

	*(volatile struct ucall *)buf = *uc;
	guest_port_out32(UCALL_PORT, (uint32_t)v->ucall_gpa);
}

void guest_progress(void)
{
	(*(volatile uint64_t *)(this_vcpu()->ucall_gpa +
				UCALL_PROGRESS_OFFSET))++;
}

static void ucall_args(struct ucall *uc, uint64_t nargs, va_list ap)
{
	uint64_t i;

	uc->nargs = nargs > UCALL_MAX_ARGS ? UCALL_MAX_ARGS : nargs;
	for (i = 0; i < uc->nargs; i++)
		uc->args[i] = va_arg(ap, uint64_t);
}

void ucall(uint64_t cmd, uint64_t nargs, ...)
{
	struct ucall uc = { .cmd = cmd };
	va_list ap;

	va_start(ap, nargs);
	ucall_args(&uc, nargs, ap);
	va_end(ap);
	ucall_send(&uc);
}

void ucall_assert(const char *file, uint64_t line, const char *expr,
		  const char *fmt, uint64_t nargs, ...)
{
	struct ucall uc = {
		.cmd = UCALL_ABORT, .file = file, .line = line,
		.expr = expr, .fmt = fmt,
	};
	va_list ap;

	va_start(ap, nargs);
	ucall_args(&uc, nargs, ap);
	va_end(ap);
	/* The host fails the test; never continue past a failed assert. */
	for (;;)
		ucall_send(&uc);
}

struct ex_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

void guest_exception_handler(struct ex_frame *f);
void guest_exception_handler(struct ex_frame *f)
{
	for (;;)
		ucall(UCALL_EXCEPTION, 4, f->vector, f->error_code, f->rip,
		      get_cr2());
}

void guest_returned(void);
void guest_returned(void)
{
	for (;;)
		ucall(UCALL_DONE, 0);
}
