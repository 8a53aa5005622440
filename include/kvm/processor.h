/* SPDX-License-Identifier: GPL-2.0 */
/* x86-64 architectural definitions and guest-side instructions. */
#ifndef GMEM_PROCESSOR_H
#define GMEM_PROCESSOR_H

#include <stdint.h>

#define X86_CR0_PE	(1UL << 0)
#define X86_CR0_MP	(1UL << 1)
#define X86_CR0_ET	(1UL << 4)
#define X86_CR0_NE	(1UL << 5)
#define X86_CR0_WP	(1UL << 16)
#define X86_CR0_AM	(1UL << 18)
#define X86_CR0_PG	(1UL << 31)
#define X86_CR4_PAE	(1UL << 5)
#define X86_CR4_MCE	(1UL << 6)
#define X86_CR4_PGE	(1UL << 7)
#define X86_CR4_OSFXSR	(1UL << 9)
#define X86_CR4_OSXMMEXCPT (1UL << 10)
#define EFER_SCE	(1UL << 0)
#define EFER_LME	(1UL << 8)
#define EFER_LMA	(1UL << 10)
#define EFER_NX		(1UL << 11)

/* Page-table entry bits. */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

/* Exception vectors. */
#define DE_VECTOR	0
#define DB_VECTOR	1
#define BP_VECTOR	3
#define UD_VECTOR	6
#define DF_VECTOR	8
#define GP_VECTOR	13
#define PF_VECTOR	14

/* CPUID feature bits the library checks. */
#define CPUID_8000_0001_EDX_GBPAGES	(1U << 26)
#define CPUID_8000_0001_EDX_NX		(1U << 20)

/* Callable from guest code: no SSE (see GUEST_CODE_BEGIN in ucall.h). */
#pragma GCC push_options
#pragma GCC target("general-regs-only")

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* rdtsc ordered after every earlier instruction (lfence; rdtsc). */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void outl(uint16_t port, uint32_t val)
{
	__asm__ __volatile__("outl %0, %w1" :: "a"(val), "Nd"(port) : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline uint64_t get_cr2(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a,
			 uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

/*
 * KVM hypercall (vmcall on Intel, vmmcall on AMD).  KVM rewrites the
 * instruction to the host's flavour, so either works in a KVM guest;
 * the caller picks the native one to avoid the #UD round trip.
 */
static inline uint64_t kvm_hypercall(uint64_t nr, uint64_t a0, uint64_t a1,
				     uint64_t a2, uint64_t a3, int amd)
{
	uint64_t ret;

	if (amd)
		__asm__ __volatile__("vmmcall" : "=a"(ret)
				     : "a"(nr), "b"(a0), "c"(a1), "d"(a2),
				       "S"(a3) : "memory");
	else
		__asm__ __volatile__("vmcall" : "=a"(ret)
				     : "a"(nr), "b"(a0), "c"(a1), "d"(a2),
				       "S"(a3) : "memory");
	return ret;
}

#pragma GCC pop_options

#endif /* GMEM_PROCESSOR_H */
