// SPDX-License-Identifier: GPL-2.0
/*
 * The library under test: real long-mode guests, the ucall channel,
 * GUEST_ASSERT reporting, exception reporting, large guest mappings,
 * several vCPUs at once, the watchdog.
 */
#include <stdio.h>
#include <stdlib.h>

#include "gmem.h"
#include "hugetlb.h"
#include "kvm_util.h"
#include "ktap.h"
#include "processor.h"

static uint64_t guest_global = 0x1234;

GUEST_CODE_BEGIN

static void guest_arith(uint64_t a, uint64_t b)
{
	uint64_t i, acc = 0;

	for (i = 0; i < a; i++)
		acc += i * b;
	GUEST_SYNC(acc);
	GUEST_SYNC_ARGS(a, b, a * b, a ^ b);
	GUEST_DONE();
}

static void guest_globals(void)
{
	GUEST_SYNC(guest_global);
	guest_global = 0xabcd;
}

/* The line of the __GUEST_ASSERT below: keep them adjacent. */
static const int bad_assert_line = __LINE__ + 4;

static void guest_bad_assert(uint64_t v)
{
	__GUEST_ASSERT(v == 42, "v = %lu, want %d", v, 42);
	GUEST_DONE();
}

static void guest_ud(void)
{
	__asm__ __volatile__("ud2");
}

static void guest_null_deref(void)
{
	volatile uint64_t *p = (volatile uint64_t *)8;

	/* Hide the constant from the compiler's bounds checks. */
	__asm__ __volatile__("" : "+r"(p));
	GUEST_SYNC(*p);
}

static void guest_spin(void)
{
	for (;;)
		cpu_relax();
}

static void guest_touch(uint64_t base, uint64_t size, uint64_t stride)
{
	uint64_t off, sum = 0;

	for (off = 0; off < size; off += stride)
		*(volatile uint64_t *)(base + off) = base + off;
	for (off = 0; off < size; off += stride)
		sum += *(volatile uint64_t *)(base + off) == base + off;
	GUEST_SYNC(sum);
}

static void guest_count(uint64_t id, uint64_t n)
{
	uint64_t i;

	for (i = 1; i <= n; i++)
		GUEST_SYNC_ARGS(id, i);
	GUEST_DONE();
}

static void guest_pingpong(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		GUEST_SYNC(i);
}

GUEST_CODE_END

/* Host-computed sums match the guest's: the guest really ran the loop. */
static void arithmetic_synced_to_host(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_arith);
	uint64_t a = 1000, b = 7, expect = b * a * (a - 1) / 2;
	struct ucall uc;

	vcpu_args_set(vcpu, 2, a, b);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], expect);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.nargs, 4);
	TEST_ASSERT_EQ(uc.args[2], a * b);
	TEST_ASSERT_EQ(uc.args[3], a ^ b);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_DONE);
	vm_free(vm);
}

/* Globals: host value synced in, guest value synced out; return = DONE. */
static void globals_and_return_is_done(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_globals);
	struct ucall uc;

	guest_global = 0x5678;
	sync_global_to_guest(vm, guest_global);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], 0x5678);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_DONE);
	sync_global_from_guest(vm, guest_global);
	TEST_ASSERT_EQ(guest_global, 0xabcd);
	vm_free(vm);
}

/* The line of the __GUEST_ASSERT below: keep them adjacent. */

static void expect_report(void (*fn)(void), const char *const *want,
			  unsigned int nr)
{
	char out[8192];
	int status = test_run_captured(fn, out, sizeof(out));
	unsigned int i;

	/*
	 * The child skipped (no /dev/kvm, ...): so does the case, with the
	 * reason the same VM gives here.
	 */
	if (status == KSFT_SKIP) {
		vm_free(vm_create(KVM_X86_DEFAULT_VM));
		test_skip("the child meant to fail skipped instead");
	}
	test_diag("child report:\n%s", out);
	TEST_ASSERT_EQ(status, 1);
	for (i = 0; i < nr; i++)
		TEST_ASSERT(strstr(out, want[i]), "report lacks \"%s\"",
			    want[i]);
}

static void child_bad_assert(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_bad_assert);
	struct ucall uc;

	vcpu_args_set(vcpu, 1, 41ULL);
	vcpu_run_ucall(vcpu, &uc);
}

/* A failed GUEST_ASSERT names the guest's file:line and the values. */
static void assert_reports_file_line_values(void)
{
	char line[64];
	const char *want[] = { "guest_test.c:", "v == 42", "v = 41, want 42",
			       line };

	snprintf(line, sizeof(line), "guest_test.c:%d", bad_assert_line);
	expect_report(child_bad_assert, want, ARRAY_SIZE(want));
}

static void child_ud(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_ud);
	struct ucall uc;

	vcpu_run_ucall(vcpu, &uc);
}

static void child_pf(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_null_deref);
	struct ucall uc;

	vcpu_run_ucall(vcpu, &uc);
}

/* #UD and #PF are reported with vector, RIP (and CR2), not a hang. */
static void exceptions_reported_with_vector_and_rip(void)
{
	char rip[64];
	const char *ud[] = { "vector 6 (#UD)", rip };
	const char *pf[] = { "vector 14 (#PF)", "CR2 0x8" };

	snprintf(rip, sizeof(rip), "RIP 0x%lx", (unsigned long)guest_ud);
	expect_report(child_ud, ud, ARRAY_SIZE(ud));
	expect_report(child_pf, pf, ARRAY_SIZE(pf));
}

static void child_spin(void)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct ucall uc;

	setenv("GMEMSUITE_RUN_TIMEOUT_MS", "500", 1);
	unsetenv("GMEMSUITE_TIMEOUT_SCALE");
	vm = vm_create(KVM_X86_DEFAULT_VM);
	vcpu = vm_vcpu_add(vm, guest_spin);
	vcpu_run_ucall(vcpu, &uc);
}

/* A guest that never exits is stopped by the watchdog and reported. */
static void watchdog_stops_hung_guest(void)
{
	const char *want[] = { "did not return within 500 ms", "RIP 0x" };
	uint64_t t0 = now_ns();

	expect_report(child_spin, want, ARRAY_SIZE(want));
	TEST_ASSERT(now_ns() - t0 < 10000000000ULL, "watchdog took %llu ms",
		    (unsigned long long)((now_ns() - t0) / 1000000));
}

/*
 * Every backing the library offers reaches the guest and the host sees
 * the guest's writes: anon, THP, shmem, hugetlb 2M/1G (pools grown for
 * the case and restored), guest_memfd's own mmap.
 */
static void check_backing(enum backing_type b, uint64_t size,
			  enum guest_page page)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct region_spec spec = {
		.gpa = TEST_REGION_GPA, .size = size, .backing = b,
		.guest_page = page,
	};
	struct kvm_region *r;
	struct kvm_vcpu *vcpu;
	struct ucall uc;
	uint64_t off;

	if (b == BACKING_HUGETLB_2M)
		hugetlb_require(SZ_2M, size / SZ_2M);
	if (b == BACKING_HUGETLB_1G)
		hugetlb_require(SZ_1G, size / SZ_1G);
	if (b == BACKING_GMEM) {
		spec.gmem = GMEM_CREATE;
		spec.gmem_flags = GUEST_MEMFD_FLAG_MMAP |
				  GUEST_MEMFD_FLAG_INIT_SHARED;
		TEST_REQUIRE((gmem_supported_flags(vm) & spec.gmem_flags) ==
			     spec.gmem_flags, "guest_memfd MMAP|INIT_SHARED "
			     "not supported (6.18+)");
	}
	r = vm_add_region(vm, &spec);
	vcpu = vm_vcpu_add(vm, guest_touch);
	vcpu_args_set(vcpu, 3, r->gpa, size, SZ_64K);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], size / SZ_64K);
	for (off = 0; off < size; off += SZ_64K)
		TEST_ASSERT_EQ(*(uint64_t *)((char *)r->hva + off),
			       r->gpa + off);
	vm_free(vm);
	hugetlb_restore();
}


static void mapping_2m(void)
{
	check_backing(BACKING_ANON, 8 * SZ_2M, GUEST_PAGE_2M);
}

static void mapping_1g(void)
{
	check_backing(BACKING_ANON, SZ_1G, GUEST_PAGE_1G);
}

static void backing_anon(void)
{
	check_backing(BACKING_ANON, 4 * SZ_2M, GUEST_PAGE_4K);
}

static void backing_thp(void)
{
	check_backing(BACKING_THP, 4 * SZ_2M, GUEST_PAGE_2M);
}

static void backing_shmem(void)
{
	check_backing(BACKING_SHMEM, 4 * SZ_2M, GUEST_PAGE_4K);
}

static void backing_hugetlb_2m(void)
{
	check_backing(BACKING_HUGETLB_2M, 4 * SZ_2M,
		      GUEST_PAGE_2M);
}

static void backing_hugetlb_1g(void)
{
	check_backing(BACKING_HUGETLB_1G, SZ_1G, GUEST_PAGE_2M);
}

static void backing_gmem(void)
{
	check_backing(BACKING_GMEM, 4 * SZ_2M, GUEST_PAGE_4K);
}


static void *vcpu_counter(struct kvm_vcpu *vcpu)
{
	uint64_t expect = 1;
	struct ucall uc;

	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC) {
		TEST_ASSERT_EQ(uc.args[0], vcpu->id);
		TEST_ASSERT_EQ(uc.args[1], expect);
		expect++;
	}
	return (void *)(uintptr_t)(expect - 1);
}

/* Four vCPUs on four threads, each with its own stack and ucalls. */
static void several_vcpus_at_once(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpus[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vcpus); i++) {
		vcpus[i] = vm_vcpu_add(vm, guest_count);
		vcpu_args_set(vcpus[i], 2, (uint64_t)i, 1000ULL);
	}
	for (i = 0; i < ARRAY_SIZE(vcpus); i++)
		vcpu_thread_start(vcpus[i], vcpu_counter);
	for (i = 0; i < ARRAY_SIZE(vcpus); i++)
		TEST_ASSERT_EQ((uintptr_t)vcpu_thread_join(vcpus[i]), 1000);
	vm_free(vm);
}

/* Round trip of one ucall (guest exit to re-entry), reported as a diag. */
static void ucall_round_trip(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_pingpong);
	const uint64_t n = 20000;
	struct ucall uc;
	uint64_t i, t0;

	vcpu_args_set(vcpu, 1, n);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
		TEST_ASSERT_EQ(uc.args[0], i);
	}
	test_diag("ucall round trip: %.2f us (%llu exits)",
		  (now_ns() - t0) / 1000.0 / n, (unsigned long long)n);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_DONE);
	vm_free(vm);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(arithmetic_synced_to_host),
	KTAP_CASE(globals_and_return_is_done),
	KTAP_CASE(assert_reports_file_line_values),
	KTAP_CASE(exceptions_reported_with_vector_and_rip),
	KTAP_CASE(watchdog_stops_hung_guest),
	KTAP_CASE(mapping_2m),
	KTAP_CASE(mapping_1g),
	KTAP_CASE(backing_anon),
	KTAP_CASE(backing_thp),
	KTAP_CASE(backing_shmem),
	KTAP_CASE(backing_hugetlb_2m),
	KTAP_CASE(backing_hugetlb_1g),
	KTAP_CASE(backing_gmem),
	KTAP_CASE(several_vcpus_at_once),
	KTAP_CASE(ucall_round_trip),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
