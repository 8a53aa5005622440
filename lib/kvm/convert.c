// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <sys/mman.h>

#include "convert.h"
#include "gmem.h"
#include "probe.h"

void converter_init(struct converter *c, struct kvm_vm *vm,
		    enum convert_path path, bool discard)
{
	memset(c, 0, sizeof(*c));
	c->vm = vm;
	c->path = path;
	c->discard = discard;
	pthread_mutex_init(&c->lock, NULL);
}

enum convert_path vm_convert_path(struct kvm_vm *vm)
{
	return vm_private_on_gmem(vm, -1) ? CONVERT_GMEM_ATTR :
	       CONVERT_VM_ATTR;
}

/*
 * One scratch VM of this type: a shared page of an anonymous backing
 * next to a guest_memfd without MMAP; the host writes a marker into the
 * backing and the guest reads the gpa.  The marker = the backing is
 * mapped (per-VM path, v8); zero = the fresh guest_memfd page was.
 */
static enum tristate probe_shared_source(unsigned long type)
{
	const uint64_t marker = 0x5eed5eed0badf00dULL;
	struct kvm_region *r;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = __vm_create(type);
	uint64_t got;

	if (!vm)
		return TRI_UNKNOWN;
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = SZ_2M,
		.backing = BACKING_ANON, .gmem = GMEM_CREATE,
	});
	/* Without INIT_SHARED the guest_memfd starts private. */
	gmem_set_shared(r->gmem_fd, r->gmem_offset, SZ_4K);
	*(volatile uint64_t *)r->hva = marker;
	vcpu = vm_vcpu_add_cmd(vm);
	got = vcpu_cmd(vcpu, GOP_READ, r->gpa, 0, 0).bad;
	vm_free(vm);
	TEST_ASSERT(got == marker || got == 0, "shared page of a guest_memfd "
		    "memslot: the guest read 0x%llx, neither the backing's "
		    "marker 0x%llx nor a fresh guest_memfd page (0)",
		    (unsigned long long)got, (unsigned long long)marker);
	test_diag("a shared page of a guest_memfd memslot (no MMAP) is served"
		  " from the %s", got ? "memslot's userspace backing" :
		  "guest_memfd");
	return got ? TRI_NO : TRI_YES;
}

enum tristate vm_shared_faults_from_gmem(struct kvm_vm *vm)
{
	static enum tristate cache[PROBE_NR_VM_TYPES] = {
		[0 ... PROBE_NR_VM_TYPES - 1] = TRI_UNKNOWN,
	};

	if (vm_convert_path(vm) != CONVERT_GMEM_ATTR)
		return TRI_NO;
	if (vm->type >= PROBE_NR_VM_TYPES)
		return probe_shared_source(vm->type);
	if (cache[vm->type] == TRI_UNKNOWN)
		cache[vm->type] = probe_shared_source(vm->type);
	return cache[vm->type];
}

void require_separate_shared_backing(struct kvm_vm *vm)
{
	TEST_REQUIRE(vm_shared_faults_from_gmem(vm) != TRI_YES,
		     "a separate shared backing is never mapped on this "
		     "kernel: every guest_memfd memslot is guest_memfd-only "
		     "while in-place conversion is on (merged series, "
		     "2e646bcf \"Always fault from guest_memfd if in-place "
		     "conversion is enabled\"; here %s); the inplace_* cases "
		     "test this kernel's layout", in_place_on_reason());
}

struct kvm_region *converter_setup_region(struct converter *c,
					  struct kvm_vm *vm,
					  const struct region_spec *spec,
					  bool discard)
{
	struct kvm_region *r;
	enum convert_path path;
	int err;

	require_private_tracking(vm);
	path = vm_convert_path(vm);
	TEST_REQUIRE(spec->gmem != GMEM_NONE || path == CONVERT_VM_ATTR,
		     "PRIVATE lives in guest_memfd here (in-place path): a "
		     "memslot without one is never private");
	r = vm_add_region(vm, spec);
	converter_init(c, vm, path, discard);
	test_diag("PRIVATE on the %s%s", path == CONVERT_GMEM_ATTR ?
		  "guest_memfd (in-place series)" : "VM fd",
		  discard ? ", stale side discarded" : "");
	if (path == CONVERT_VM_ATTR)
		return r;
	err = convert_range(c, r->gpa, r->size, false, NULL);
	TEST_ASSERT(!err, "initial conversion of [0x%llx, +0x%llx) to shared: "
		    "%s", (unsigned long long)r->gpa,
		    (unsigned long long)r->size, errno_name(err));
	return r;
}

void vm_enable_map_gpa_exits(struct kvm_vm *vm)
{
	int caps = vm_check_cap(vm, KVM_CAP_EXIT_HYPERCALL);

	TEST_REQUIRE(caps & (1 << KVM_HC_MAP_GPA_RANGE),
		     "KVM_CAP_EXIT_HYPERCALL lacks KVM_HC_MAP_GPA_RANGE "
		     "(0x%x)", caps);
	vm_enable_cap(vm, KVM_CAP_EXIT_HYPERCALL, 1 << KVM_HC_MAP_GPA_RANGE);
}

int map_gpa_decode(uint64_t gpa, uint64_t npages, uint64_t attrs,
		   struct map_gpa_req *req)
{
	/* hypercalls.rst: bits 3:0 preferred page size, bit 4 encrypted. */
	if (attrs & ~0x1fULL || (attrs & 0xf) > KVM_MAP_GPA_RANGE_PAGE_SZ_1G)
		return EINVAL;
	if (!npages || npages > (~0ULL >> 12) ||
	    gpa + (npages << 12) < gpa || !IS_ALIGNED(gpa, SZ_4K))
		return EINVAL;
	req->gpa = gpa;
	req->size = npages << 12;
	req->to_private = attrs & KVM_MAP_GPA_RANGE_ENCRYPTED;
	req->page_size_hint = attrs & 0xf;
	return 0;
}

/* Every byte of [gpa, end) lies in a region of vm. */
static bool range_is_ram(struct kvm_vm *vm, uint64_t gpa, uint64_t end)
{
	struct kvm_region *r;

	for (; gpa < end; gpa = r->gpa + r->size) {
		r = vm_find_region(vm, gpa);
		if (!r)
			return false;
	}
	return true;
}

int map_gpa_check(struct kvm_vm *vm, uint64_t gpa, uint64_t npages,
		  uint64_t attrs, struct map_gpa_req *req)
{
	int err = map_gpa_decode(gpa, npages, attrs, req);

	if (err)
		return err;
	return range_is_ram(vm, req->gpa, req->gpa + req->size) ? 0 : EINVAL;
}

/*
 * Release the copy that the conversion made stale.  Only regions with a
 * separate shared backing hold two copies; a guest_memfd-only region
 * (in-place layout) holds one, and nothing of it is stale.
 */
static void discard_stale(struct kvm_region *r, uint64_t off, uint64_t len,
			  bool to_private)
{
	int err;

	if (!r->hva || r->backing == BACKING_GMEM || r->gmem_fd < 0)
		return;
	if (!to_private) {
		gmem_punch_hole(r->gmem_fd, r->gmem_offset + off, len);
		return;
	}
	if (r->fd >= 0) {
		err = fallocate(r->fd, FALLOC_FL_PUNCH_HOLE |
				FALLOC_FL_KEEP_SIZE, off, len) ? errno : 0;
		TEST_ASSERT(!err, "punching the shared backing: %s",
			    errno_name(err));
	} else {
		TEST_ASSERT(!madvise((char *)r->hva + off, len,
				     MADV_DONTNEED), "MADV_DONTNEED");
	}
}

/*
 * The part of [a, end) that one region covers: the region holding a and
 * the part's length, or NULL and one page where a has no memslot.
 */
static struct kvm_region *region_part(struct kvm_vm *vm, uint64_t a,
				      uint64_t end, uint64_t *len)
{
	struct kvm_region *r = vm_find_region(vm, a);

	*len = r ? r->gpa + r->size - a : SZ_4K;
	if (*len > end - a)
		*len = end - a;
	return r;
}

/* Discard what [gpa, end) left stale in every region it covers. */
static void discard_range(struct converter *c, uint64_t gpa, uint64_t end,
			  bool to_private)
{
	uint64_t a, len;

	/* Attributes may cover GPAs without memslots; discard what exists. */
	for (a = gpa; a < end; a += len) {
		struct kvm_region *r = region_part(c->vm, a, end, &len);

		if (r)
			discard_stale(r, a - r->gpa, len, to_private);
	}
}

void converter_set_prealloc(struct converter *c, bool prealloc)
{
	c->prealloc = prealloc;
}

/* fallocate the guest_memfd pages behind [gpa, end); the bytes done. */
static uint64_t prealloc_range(struct kvm_vm *vm, uint64_t gpa, uint64_t end)
{
	uint64_t a, len, done = 0;

	for (a = gpa; a < end; a += len) {
		struct kvm_region *r = region_part(vm, a, end, &len);

		if (!r || r->gmem_fd < 0)
			continue;
		gmem_allocate(r->gmem_fd, r->gmem_offset + (a - r->gpa), len);
		done += len;
	}
	return done;
}

/* In-place path: each region's guest_memfd holds the attribute. */
static int convert_gmem(struct converter *c, uint64_t gpa, uint64_t size,
			bool to_private, uint64_t *error_gpa)
{
	uint64_t end = gpa + size;

	while (gpa < end) {
		uint64_t len, err_off = 0;
		struct kvm_region *r = region_part(c->vm, gpa, end, &len);
		int err;

		if (!r || r->gmem_fd < 0)
			return EINVAL;
		err = __gmem_set_attributes(r->gmem_fd,
				r->gmem_offset + (gpa - r->gpa), len,
				to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
				0, &err_off);
		if (err) {
			if (error_gpa)
				*error_gpa = r->gpa + err_off - r->gmem_offset;
			return err;
		}
		gpa += len;
	}
	return 0;
}

int convert_range(struct converter *c, uint64_t gpa, uint64_t size,
		  bool to_private, uint64_t *error_gpa)
{
	int err;

	if (to_private && c->prealloc) {
		uint64_t done = prealloc_range(c->vm, gpa, gpa + size);

		pthread_mutex_lock(&c->lock);
		c->stats.preallocated += done;
		pthread_mutex_unlock(&c->lock);
	}
	if (c->path == CONVERT_GMEM_ATTR)
		err = convert_gmem(c, gpa, size, to_private, error_gpa);
	else
		err = __vm_set_memory_attributes(c->vm, gpa, size, to_private ?
						 KVM_MEMORY_ATTRIBUTE_PRIVATE :
						 0, 0);
	if (!err && c->discard)
		discard_range(c, gpa, gpa + size, to_private);
	return err;
}

bool convert_handle_exit(struct converter *c, struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct map_gpa_req req;
	int err;

	if (run->exit_reason != KVM_EXIT_HYPERCALL ||
	    run->hypercall.nr != KVM_HC_MAP_GPA_RANGE)
		return false;
	err = map_gpa_check(c->vm, run->hypercall.args[0],
			    run->hypercall.args[1], run->hypercall.args[2],
			    &req);
	if (!err)
		err = convert_range(c, req.gpa, req.size, req.to_private,
				    NULL);
	TEST_ASSERT(!err || err == EINVAL || err == EAGAIN,
		    "converting [0x%llx, +0x%llx) to %s: %s",
		    (unsigned long long)req.gpa, (unsigned long long)req.size,
		    req.to_private ? "private" : "shared", errno_name(err));
	pthread_mutex_lock(&c->lock);
	if (err) {
		c->stats.refused++;
	} else {
		c->stats.calls++;
		c->stats.bytes += req.size;
	}
	pthread_mutex_unlock(&c->lock);
	run->hypercall.ret = err;
	return true;
}

bool convert_handle_memory_fault(struct converter *c, struct kvm_vcpu *vcpu,
				 int run_err)
{
	struct gmem_memory_fault_exit *mf = run_memory_fault(vcpu->run);
	struct kvm_region *r;
	bool to_private;
	int err;

	if (run_err != EFAULT ||
	    vcpu->run->exit_reason != KVM_EXIT_MEMORY_FAULT)
		return false;
	/*
	 * CoCo VMs: the access's C-bit/S-bit disagreed with the attribute;
	 * give the access what it asked for.  SW_PROTECTED VMs: the access
	 * follows the attribute, so a PRIVATE fault means the memslot has
	 * no guest_memfd; the only fix that makes progress is shared.
	 */
	to_private = mf->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE;
	r = vm_find_region(c->vm, mf->gpa);
	if (to_private && (!r || r->gmem_fd < 0))
		to_private = false;
	err = convert_range(c, ALIGN_DOWN(mf->gpa, SZ_4K),
			    ALIGN_UP(mf->size, SZ_4K), to_private, NULL);
	TEST_ASSERT(!err, "implicit conversion of [0x%llx, +0x%llx): %s",
		    (unsigned long long)mf->gpa, (unsigned long long)mf->size,
		    errno_name(err));
	pthread_mutex_lock(&c->lock);
	c->stats.calls++;
	c->stats.bytes += mf->size;
	pthread_mutex_unlock(&c->lock);
	return true;
}

int vcpu_run_converting(struct converter *c, struct kvm_vcpu *vcpu)
{
	for (;;) {
		int err = __vcpu_run(vcpu);

		if (err == ETIMEDOUT)
			vcpu_fail_run(vcpu, err);
		if (!err && convert_handle_exit(c, vcpu))
			continue;
		if (convert_handle_memory_fault(c, vcpu, err))
			continue;
		return err;
	}
}

struct guest_result vcpu_cmd_converting(struct converter *c,
					struct kvm_vcpu *vcpu,
					enum guest_op op, uint64_t gpa,
					uint64_t size, uint64_t seed)
{
	int err;

	vcpu_cmd_post(vcpu, op, gpa, size, seed);
	err = vcpu_run_converting(c, vcpu);
	if (err)
		vcpu_fail_run(vcpu, err);
	return vcpu_cmd_result(vcpu);
}
