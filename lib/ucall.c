// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the ucall channel (runs inside the guest: no libc).
 */
#include <stdarg.h>

#include "processor.h"
#include "ucall.h"

static void ucall_send(struct ucall *uc)
{
	/* The stack is identity-mapped below 4 GiB: GVA == GPA fits 32 bits. */
	outl(UCALL_PORT, (uint32_t)(uintptr_t)uc);
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
