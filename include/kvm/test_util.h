/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side assertions and skips.  Every failure names file:line, the
 * expression, what was expected and what was seen.  Inside a KTAP case
 * (lib/harness/ktap.c) a failure ends the case's child process with status 1 and a
 * skip with status 4 and its reason; outside one, the process exits so.
 */
#ifndef GMEM_TEST_UTIL_H
#define GMEM_TEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_XFAIL	2
#define KSFT_SKIP	4

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define DIV_ROUND_UP(x, a)	(((x) + (a) - 1) / (a))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define SZ_4K		0x1000ULL
#define SZ_64K		0x10000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
#define __unused	__attribute__((unused))
#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

void __noreturn __printf(5, 6)
test_assert_fail(const char *file, int line, const char *expr, int err,
		 const char *fmt, ...);
void __noreturn __printf(1, 2) test_skip(const char *fmt, ...);
/*
 * Where a skip's reason goes: a harness running cases sets it (lib/harness/ktap.c)
 * and returns true when it took the reason; else test_skip() prints it.
 */
extern bool (*test_skip_hook)(const char *reason);
/* Print a "# "-prefixed diagnostic line (KTAP comment). */
void __printf(1, 2) test_diag(const char *fmt, ...);

#define TEST_ASSERT(cond, fmt, ...)					\
do {									\
	if (!(cond))							\
		test_assert_fail(__FILE__, __LINE__, #cond, errno,	\
				 fmt, ##__VA_ARGS__);			\
} while (0)

#define TEST_FAIL(fmt, ...)						\
	test_assert_fail(__FILE__, __LINE__, NULL, 0, fmt, ##__VA_ARGS__)

#define TEST_ASSERT_EQ(a, b)						\
do {									\
	__typeof__(a) __a = (a);					\
	__typeof__(b) __b = (b);					\
	if ((unsigned long long)__a != (unsigned long long)__b)	\
		test_assert_fail(__FILE__, __LINE__, #a " == " #b,	\
			errno, "expected %s = 0x%llx (%lld), got 0x%llx (%lld)", \
			#a, (unsigned long long)__b, (long long)__b,	\
			(unsigned long long)__a, (long long)__a);	\
} while (0)

/*
 * Assert that a raw call failed with the given errno.  "ret" must be the
 * raw result of a __name() helper (0 success, else a positive errno).
 */
#define TEST_ASSERT_ERRNO(ret, want, what)				\
do {									\
	int __r = (ret), __w = (want);					\
	if (__r != __w)							\
		test_assert_fail(__FILE__, __LINE__, what, 0,		\
			"expected %s, got %s", errno_name(__w),		\
			errno_name(__r));				\
} while (0)

#define TEST_REQUIRE(cond, fmt, ...)					\
do {									\
	if (!(cond))							\
		test_skip(fmt, ##__VA_ARGS__);				\
} while (0)

/*
 * Validation tables report every row: one diagnostic line per row (its
 * number, what it tries, the errno wanted and seen), and the number of
 * wrong rows, so that one wrong row never hides the rows after it.
 * Assert on the total once the table is done.
 */
unsigned int table_row(unsigned int row, const char *what, int want,
		       int got);
/* The same for answers that are not errnos. */
unsigned int table_row_str(unsigned int row, const char *what,
			   const char *want, const char *got);
#define TEST_ASSERT_TABLE(wrong, rows, what)				\
	TEST_ASSERT(!(wrong), "%u of %u rows of %s wrong (listed above)", \
		    (wrong), (rows), (what))

/* "EINVAL", "ENOTTY", ...; "0 (success)" for 0. */
const char *errno_name(int err);

uint64_t now_ns(void);
/*
 * Run fn in a forked child whose stdout goes to out (NUL-terminated);
 * the child's exit status (128 if it did not exit).  For checking what a
 * failing test reports.
 */
int test_run_captured(void (*fn)(void), char *out, size_t len);
/* Parse "4K", "2M", "1G", "512", "64KiB": returns false on junk. */
bool parse_size(const char *s, uint64_t *out);
/* Read a whole small file / first line / integer; false when absent. */
bool read_file_str(const char *path, char *buf, size_t len);
bool read_file_u64(const char *path, uint64_t *val);
bool write_file_str(const char *path, const char *val);

#endif /* GMEM_TEST_UTIL_H */
