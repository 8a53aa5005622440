// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_PRE_FAULT_MEMORY: map guest memory before the guest touches it.
 * The contract (api.rst, virt/kvm/kvm_main.c kvm_vcpu_pre_fault_memory):
 * flags must be 0, gpa and size page aligned, size non-zero and the range
 * not wrapping (else EINVAL); KVM advances gpa/size as it maps and
 * returns 0 once anything was mapped, so a call shrinks the range exactly
 * when it succeeds; a range that starts outside guest memory maps nothing
 * (ENOENT, x86: the fault would be emulated MMIO).  x86 offers it only
 * with the TDP MMU, so on a shadow-MMU host every case skips.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bounds.h"
#include "compat.h"
#include "convert.h"
#include "guest_ops.h"
#include "ktap.h"
#include "kvm_util.h"
#include "kvm_stats.h"

/* As upstream's test: a 2M page and one more, so a 2M leaf fits. */
#define SLOT_SIZE	(SZ_2M + SZ_4K)
#define PF_SLOT		10

static struct kvm_vm *vm;
static struct kvm_vcpu *vcpu;
static struct kvm_region *r;
static struct converter conv;
/* Calls whose range changed although they failed, or the reverse. */
static unsigned int contract_broken;

static void require_prefault(void)
{
	TEST_REQUIRE(vm_check_cap(vm, KVM_CAP_PRE_FAULT_MEMORY),
		     "KVM_CAP_PRE_FAULT_MEMORY absent on %s (x86: TDP MMU "
		     "only; 6.10+)", vm_type_name(vm->type));
}

static void setup_default(void)
{
	vm = vm_create(KVM_X86_DEFAULT_VM);
	require_prefault();
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = SLOT_SIZE,
		.backing = BACKING_ANON,
	});
	vcpu = vm_vcpu_add_cmd(vm);
}

/*
 * KVM_PRE_FAULT_MEMORY until it stops (EINTR retried): 0 or the errno,
 * the bytes left in *left.  Every call is checked against the contract.
 */
static int prefault(uint64_t gpa, uint64_t size, uint64_t flags,
		    uint64_t *left)
{
	struct kvm_pre_fault_memory range = {
		.gpa = gpa, .size = size, .flags = flags,
	};
	uint64_t before;
	int ret, err;

	do {
		before = range.size;
		ret = ioctl(vcpu->fd, KVM_PRE_FAULT_MEMORY, &range);
		err = ret ? errno : 0;
		if ((range.size < before) != !err) {
			test_diag("  range [0x%llx, +0x%llx): %s with %llu "
				  "bytes left of %llu  <-- contract",
				  (unsigned long long)gpa,
				  (unsigned long long)size, errno_name(err),
				  (unsigned long long)range.size,
				  (unsigned long long)before);
			contract_broken++;
		}
	} while (err == EINTR);
	*left = range.size;
	return err;
}

/* What the contract says of one (gpa, size, flags) on r's memslot. */
static int prefault_expect(uint64_t gpa, uint64_t size, uint64_t flags,
			   uint64_t *left)
{
	uint64_t end = r->gpa + r->size;

	*left = size;
	if (flags || gpa % SZ_4K || size % SZ_4K || !size ||
	    gpa + size <= gpa)
		return EINVAL;
	if (gpa < r->gpa || gpa >= end)
		return ENOENT;
	*left = gpa + size > end ? gpa + size - end : 0;
	return 0;
}

static unsigned int row(unsigned int n, const char *what, uint64_t gpa,
			uint64_t size, uint64_t flags)
{
	uint64_t want_left, got_left;
	int want = prefault_expect(gpa, size, flags, &want_left);
	int got = prefault(gpa, size, flags, &got_left);
	char buf[200];

	snprintf(buf, sizeof(buf), "%s (gpa 0x%llx, size 0x%llx, flags "
		 "0x%llx), %llu left (want %llu)", what,
		 (unsigned long long)gpa, (unsigned long long)size,
		 (unsigned long long)flags, (unsigned long long)got_left,
		 (unsigned long long)want_left);
	return table_row(n, buf, want, got) + (got == want &&
					       got_left != want_left);
}

/*
 * gpa and size at every edge of their type around the memslot
 * (lib/kvm/bounds.c), and every flags bit: every row reported, and every
 * call shrinks the range exactly when it succeeds.
 */
static void prefault_arguments_table(void)
{
	struct bound_row rows[BOUND_ROWS_MAX];
	unsigned int i, nr, n = 0, wrong = 0;
	char what[48];

	setup_default();
	contract_broken = 0;
	nr = bound_rows(r->gpa, SLOT_SIZE, SZ_4K, rows);
	for (i = 0; i < nr; i++, n++)
		wrong += row(n, rows[i].what, rows[i].off, rows[i].size, 0);
	for (i = 0; i < 64; i++, n++) {
		snprintf(what, sizeof(what), "flags bit %u", i);
		wrong += row(n, what, r->gpa, SZ_4K, 1ULL << i);
	}
	TEST_ASSERT_TABLE(wrong, n, "KVM_PRE_FAULT_MEMORY arguments");
	TEST_ASSERT(!contract_broken, "%u calls broke the size/return "
		    "contract (listed above)", contract_broken);
	vm_free(vm);
}

/* Every huge-leaf counter KVM keeps, summed. */
static uint64_t mapped_pages(void)
{
	uint64_t v, sum = 0;
	const char *const names[] = { "pages_4k", "pages_2m", "pages_1g" };
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (vm_stat(vm, names[i], &v))
			sum += v;
	return sum;
}

/*
 * Pre-faulting maps the memory before the guest runs (KVM's page
 * counters grow), and the guest then reads what the host wrote.
 */
static void prefault_maps_before_the_guest_runs(void)
{
	uint64_t left, before, after;

	setup_default();
	host_fill_pattern(r->hva, r->gpa, SLOT_SIZE, 7);
	before = mapped_pages();
	TEST_ASSERT_ERRNO(prefault(r->gpa, SLOT_SIZE, 0, &left), 0,
			  "pre-faulting the whole memslot");
	TEST_ASSERT_EQ(left, 0);
	after = mapped_pages();
	test_diag("KVM mappings (4K + 2M + 1G leaves): %llu before, %llu "
		  "after", (unsigned long long)before,
		  (unsigned long long)after);
	TEST_ASSERT(after > before, "KVM_PRE_FAULT_MEMORY succeeded but "
		    "KVM's page counters did not grow (%llu)",
		    (unsigned long long)after);
	TEST_ASSERT_EQ(vcpu_cmd(vcpu, GOP_CHECK, r->gpa, SLOT_SIZE, 7).bad, 0);
	vm_free(vm);
}

struct slot_race {
	volatile bool go, deleted, recreate;
};

/* Delete r's memslot once pre-faulting starts; recreate it on request. */
static void *slot_worker(void *arg)
{
	struct slot_race *s = arg;

	while (!s->go)
		sched_yield();
	TEST_ASSERT_ERRNO(__vm_set_user_memory_region2(vm, r->slot, 0,
						       r->gpa, 0, r->hva, -1,
						       0), 0, "deleting");
	s->deleted = true;
	while (!s->recreate)
		sched_yield();
	TEST_ASSERT_ERRNO(__vm_set_user_memory_region2(vm, r->slot, 0,
						       r->gpa, r->size, r->hva,
						       -1, 0), 0, "recreating");
	return NULL;
}

/*
 * A memslot deleted and recreated while KVM pre-faults it: the calls
 * keep the contract, and once the slot is back pre-faulting completes
 * (no EAGAIN: nothing is being deleted any more).
 */
static void prefault_races_memslot_delete(void)
{
	struct slot_race s = { 0 };
	uint64_t left = SLOT_SIZE, gpa;
	pthread_t t;
	int err;

	setup_default();
	contract_broken = 0;
	TEST_ASSERT(!pthread_create(&t, NULL, slot_worker, &s),
		    "pthread_create");
	s.go = true;
	err = prefault(r->gpa, SLOT_SIZE, 0, &left);
	test_diag("while deleting: %s, %llu bytes left", errno_name(err),
		  (unsigned long long)left);
	while (!s.deleted)
		sched_yield();
	s.recreate = true;
	TEST_ASSERT(!pthread_join(t, NULL), "pthread_join");
	gpa = r->gpa + SLOT_SIZE - (left ? left : SLOT_SIZE);
	err = prefault(gpa, left ? left : SLOT_SIZE, 0, &left);
	TEST_ASSERT(!err && !left, "after the slot came back: %s, %llu "
		    "bytes left", errno_name(err), (unsigned long long)left);
	TEST_ASSERT(!contract_broken, "%u calls broke the size/return "
		    "contract", contract_broken);
	vm_free(vm);
}

/*
 * Private memory pre-faults too: a SW_PROTECTED VM, the range PRIVATE on
 * whichever interface holds it, mapped before the guest runs, which then
 * writes and reads it back.
 */
static void prefault_private_memory(void)
{
	uint64_t left, before, after;
	int err;

	vm = vm_create_private_plain(ktap_vm_kind());
	require_prefault();
	r = converter_setup_region(&conv, vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = SLOT_SIZE + SZ_2M - SZ_4K,
		.backing = BACKING_ANON, .gmem = GMEM_CREATE,
	}, false);
	vcpu = vm_vcpu_add_cmd(vm);
	err = convert_range(&conv, r->gpa, r->size, true, NULL);
	TEST_ASSERT(!err, "to private: %s", errno_name(err));
	before = mapped_pages();
	TEST_ASSERT_ERRNO(prefault(r->gpa, r->size, 0, &left), 0,
			  "pre-faulting private memory");
	TEST_ASSERT_EQ(left, 0);
	after = mapped_pages();
	test_diag("KVM mappings: %llu before, %llu after",
		  (unsigned long long)before, (unsigned long long)after);
	TEST_ASSERT(after > before, "pre-faulting private memory mapped "
		    "nothing");
	/* The guest writes and reads back its private memory. */
	vcpu_cmd_converting(&conv, vcpu, GOP_FILL, r->gpa, r->size, 9);
	TEST_ASSERT_EQ(vcpu_cmd_converting(&conv, vcpu, GOP_CHECK, r->gpa,
					   r->size, 9).bad, 0);
	vm_free(vm);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(prefault_arguments_table),
	KTAP_CASE(prefault_maps_before_the_guest_runs),
	KTAP_CASE(prefault_races_memslot_delete),
	KTAP_CASE(prefault_private_memory),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
