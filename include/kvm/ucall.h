/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest -> host channel.
 *
 * The guest fills a struct ucall, copies it to its vCPU's page in the
 * shared window of the system slot (identity-mapped below 4 GiB) and
 * writes that address with a 32-bit port write to UCALL_PORT (OUT, or the
 * SNP/TDX equivalent, lib/kvm/coco_guest.c): the exit carries the pointer in
 * kvm_run's I/O data, so the host reads no register (confidential VMs
 * have none to read).  Format strings and file names are string literals at
 * the same address in guest and host (the guest runs a copy of this very
 * binary), so the host formats GUEST_ASSERT messages itself and the guest
 * needs no printf.
 */
#ifndef GMEM_UCALL_H
#define GMEM_UCALL_H

#include <stdint.h>

/*
 * Guest code is compiled for general-purpose registers only: hypervisors
 * emulate guest instructions at times (PVM steps the guest's next
 * instructions after every shadow page fault; MMIO everywhere) and KVM's
 * emulator knows few SSE instructions.  Wrap guest functions in
 * GUEST_CODE_BEGIN / GUEST_CODE_END.
 */
#define GUEST_CODE_BEGIN	_Pragma("GCC push_options")		\
				_Pragma("GCC target(\"general-regs-only\")")
#define GUEST_CODE_END		_Pragma("GCC pop_options")

#define UCALL_PORT	0xE7
#define UCALL_MAX_ARGS	6
/*
 * Progress word in each vCPU's shared ucall page: long guest loops bump it
 * (guest_progress()) and the host's watchdog fires only when a KVM_RUN
 * makes no progress for its timeout, so a long pass is told from a hang.
 */
#define UCALL_PROGRESS_OFFSET	2048

enum ucall_cmd {
	UCALL_NONE,		/* the exit was not a ucall */
	UCALL_SYNC,
	UCALL_DONE,
	UCALL_ABORT,		/* GUEST_ASSERT failed */
	UCALL_EXCEPTION,	/* unhandled guest exception */
};

struct ucall {
	uint64_t cmd;
	uint64_t nargs;
	uint64_t args[UCALL_MAX_ARGS];
	const char *file;
	const char *expr;
	const char *fmt;
	uint64_t line;
};

void ucall(uint64_t cmd, uint64_t nargs, ...);
/* Guest: count one step of progress (cheap; once per thousands of pages). */
void guest_progress(void);
/* lib/kvm/guest_entry.S: OUT of the address; patch site for other channels. */
void ucall_send(struct ucall *uc);
extern char ucall_send_patch[];
void ucall_assert(const char *file, uint64_t line, const char *expr,
		  const char *fmt, uint64_t nargs, ...);

/* Cast every argument to uint64_t (up to six). */
#define __U64_1(a)		(uint64_t)(a)
#define __U64_2(a, ...)		(uint64_t)(a), __U64_1(__VA_ARGS__)
#define __U64_3(a, ...)		(uint64_t)(a), __U64_2(__VA_ARGS__)
#define __U64_4(a, ...)		(uint64_t)(a), __U64_3(__VA_ARGS__)
#define __U64_5(a, ...)		(uint64_t)(a), __U64_4(__VA_ARGS__)
#define __U64_6(a, ...)		(uint64_t)(a), __U64_5(__VA_ARGS__)
#define __NARGS(...)		__NARGS_(0, ##__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define __NARGS_(_0, _1, _2, _3, _4, _5, _6, n, ...) n
#define __U64_CAT(a, b)		a##b
#define __U64_N(n, ...)		__U64_CAT(__U64_, n)(__VA_ARGS__)
#define __U64_ARGS(...)		, __U64_N(__NARGS(__VA_ARGS__), __VA_ARGS__)
#define __U64_ARGS0()

/* Compile-time printf checking of guest formats, with no code emitted. */
static inline void __attribute__((format(printf, 1, 2)))
guest_fmt_check(const char *fmt __attribute__((unused)), ...) { }

#define GUEST_SYNC_ARGS(...)						\
	ucall(UCALL_SYNC, __NARGS(__VA_ARGS__) __U64_ARGS(__VA_ARGS__))
#define GUEST_SYNC(v)		ucall(UCALL_SYNC, 1, (uint64_t)(v))
#define GUEST_DONE()		ucall(UCALL_DONE, 0)

/*
 * __GUEST_ASSERT(cond, fmt, args...): up to six integer arguments; the
 * host prints them with fmt (use the natural specifier for the type).
 */
#define __GUEST_ASSERT(cond, fmt, ...)					\
do {									\
	if (!(cond)) {							\
		guest_fmt_check(fmt, ##__VA_ARGS__);			\
		ucall_assert(__FILE__, __LINE__, #cond, fmt,		\
			     __NARGS(__VA_ARGS__)			\
			     __VA_OPT__(__U64_ARGS(__VA_ARGS__)));	\
	}								\
} while (0)
#define GUEST_ASSERT(cond)	__GUEST_ASSERT(cond, "%s", "")
#define GUEST_ASSERT_EQ(a, b)						\
	__GUEST_ASSERT((a) == (b), "%s = 0x%lx, expected 0x%lx", #a,	\
		       (uint64_t)(a), (uint64_t)(b))
#define GUEST_FAIL(fmt, ...)	__GUEST_ASSERT(0, fmt, ##__VA_ARGS__)

#endif /* GMEM_UCALL_H */
