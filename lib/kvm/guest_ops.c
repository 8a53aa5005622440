// SPDX-License-Identifier: GPL-2.0
#include "coco_guest.h"
#include "guest_ops.h"
#include "processor.h"

/* ---- Guest side (no libc; general-purpose registers only) -------------- */

static void guest_fill(uint64_t gpa, uint64_t size, uint64_t seed)
{
	uint64_t a;

	for (a = gpa; a < gpa + size; a += 8) {
		if (!(a & (SZ_2M - 1)))
			guest_progress();
		*(volatile uint64_t *)a = guest_pattern(seed, a);
	}
}

static void guest_check(uint64_t gpa, uint64_t size, uint64_t seed)
{
	uint64_t a, bad = 0, first = 0, seen = 0;

	for (a = gpa; a < gpa + size; a += SZ_4K) {
		uint64_t w;

		if (!(a & (SZ_2M - 1)))
			guest_progress();
		/* First and last word of each page. */
		for (w = a; w < a + SZ_4K; w += SZ_4K - 8) {
			uint64_t v = *(volatile uint64_t *)w;

			if (v == guest_pattern(seed, w))
				continue;
			if (!bad) {
				first = w;
				seen = v;
			}
			bad++;
			break;
		}
	}
	GUEST_SYNC_ARGS(bad, first, seen);
}

void guest_cmd_loop(uint64_t mailbox_gpa)
{
	volatile struct guest_cmd *cmd = (void *)mailbox_gpa;

	for (;;) {
		uint64_t op = cmd->op, gpa = cmd->gpa, size = cmd->size;
		uint64_t seed = cmd->seed;

		switch (op) {
		case GOP_EXIT:
			GUEST_DONE();
			break;
		case GOP_FILL:
			guest_fill(gpa, size, seed);
			GUEST_SYNC_ARGS(0, 0, 0);
			break;
		case GOP_CHECK:
			guest_check(gpa, size, seed);
			break;
		case GOP_READ:
			GUEST_SYNC_ARGS(*(volatile uint64_t *)gpa, 0, 0);
			break;
		case GOP_WRITE:
			*(volatile uint64_t *)gpa = seed;
			GUEST_SYNC_ARGS(0, 0, 0);
			break;
		case GOP_CONVERT_TIMED: {
			/*
			 * Confidential guests: the whole guest-side
			 * conversion (request, PVALIDATE/ACCEPT, PTE bit).
			 * Decided before the timer starts.
			 */
			bool coco = guest_vm.coco != COCO_NONE;
			uint64_t t0 = rdtsc_ordered(), t1, t2, a, r;

			if (coco)
				r = guest_convert(gpa, size, seed &
						  KVM_MAP_GPA_RANGE_ENCRYPTED);
			else
				r = kvm_hypercall(KVM_HC_MAP_GPA_RANGE, gpa,
						  size / SZ_4K, seed, 0,
						  cmd->amd);
			t1 = rdtsc_ordered();
			for (a = gpa; a < gpa + size; a += SZ_4K)
				*(volatile uint64_t *)a = a;
			t2 = rdtsc_ordered();
			GUEST_SYNC_ARGS(t1 - t0, t2 - t1, r);
			break;
		}
		case GOP_EXIT_RTT: {
			uint64_t t0 = rdtsc_ordered();

			GUEST_SYNC_ARGS(GUEST_EXIT_MARKER, 0, 0);
			GUEST_SYNC_ARGS(rdtsc_ordered() - t0, 0, 0);
			break;
		}
		case GOP_TOUCH_TIMED: {
			uint64_t t0 = rdtsc_ordered(), a;

			for (a = gpa; a < gpa + size; a += SZ_4K) {
				if (!(a & (SZ_1G - 1)))
					guest_progress();
				*(volatile uint64_t *)a = a;
			}
			GUEST_SYNC_ARGS(rdtsc_ordered() - t0, size / SZ_4K, 0);
			break;
		}
		case GOP_CONVERT:
			GUEST_SYNC_ARGS(guest_convert(gpa, size, seed), 0, 0);
			break;
		case GOP_ACCEPT:
			GUEST_SYNC_ARGS(guest_accept(gpa, size), 0, 0);
			break;
		case GOP_MAP_GPA:
			GUEST_SYNC_ARGS(kvm_hypercall(KVM_HC_MAP_GPA_RANGE, gpa,
						      size / SZ_4K, seed, 0,
						      cmd->amd), 0, 0);
			break;
		case GOP_MAP_GPA_PAGES:
			GUEST_SYNC_ARGS(kvm_hypercall(KVM_HC_MAP_GPA_RANGE, gpa,
						      size, seed, 0, cmd->amd),
					0, 0);
			break;
		default:
			GUEST_FAIL("unknown guest op %lu", op);
		}
	}
}

/* ---- Host side ---------------------------------------------------------- */

static struct guest_cmd *mailbox(struct kvm_vcpu *vcpu)
{
	TEST_ASSERT(vcpu->mailbox_gpa, "vCPU %u was not created by "
		    "vm_vcpu_add_cmd()", vcpu->id);
	return addr_gpa2hva(vcpu->vm, vcpu->mailbox_gpa);
}

struct kvm_vcpu *vm_vcpu_add_cmd(struct kvm_vm *vm)
{
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_cmd_loop);
	uint64_t mb = vm_alloc_shared_pages(vm, 1);

	vcpu_args_set(vcpu, 1, mb);
	vcpu->mailbox_gpa = mb;
	return vcpu;
}

void vcpu_cmd_post(struct kvm_vcpu *vcpu, enum guest_op op, uint64_t gpa,
		   uint64_t size, uint64_t seed)
{
	struct guest_cmd *c = mailbox(vcpu);

	c->op = op;
	c->gpa = gpa;
	c->size = size;
	c->seed = seed;
	c->amd = vcpu->vm->amd;
}

struct guest_result vcpu_cmd_result(struct kvm_vcpu *vcpu)
{
	struct guest_result r;
	struct ucall uc;

	if (vcpu_get_ucall(vcpu, &uc) != UCALL_SYNC) {
		if (uc.cmd == UCALL_ABORT || uc.cmd == UCALL_EXCEPTION) {
			ucall_report(vcpu, &uc);
			TEST_FAIL("guest on vCPU %u stopped", vcpu->id);
		}
		VCPU_UNEXPECTED_EXIT(vcpu);
	}
	r.bad = uc.args[0];
	r.first_bad_gpa = uc.args[1];
	r.first_bad_value = uc.args[2];
	return r;
}

struct guest_result vcpu_cmd(struct kvm_vcpu *vcpu, enum guest_op op,
			     uint64_t gpa, uint64_t size, uint64_t seed)
{
	vcpu_cmd_post(vcpu, op, gpa, size, seed);
	vcpu_run(vcpu);
	return vcpu_cmd_result(vcpu);
}

void host_fill_pattern(void *hva, uint64_t gpa, uint64_t size, uint64_t seed)
{
	uint64_t off;

	for (off = 0; off < size; off += 8)
		*(uint64_t *)((char *)hva + off) = guest_pattern(seed,
								 gpa + off);
}

uint64_t host_pattern_bad_pages(const void *hva, uint64_t gpa, uint64_t size,
				uint64_t seed)
{
	uint64_t off, bad = 0;

	for (off = 0; off < size; off += SZ_4K)
		bad += *(const uint64_t *)((const char *)hva + off) !=
		       guest_pattern(seed, gpa + off);
	return bad;
}
