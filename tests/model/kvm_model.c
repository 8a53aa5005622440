// SPDX-License-Identifier: GPL-2.0
/*
 * A model of KVM's launch rules for SEV-SNP and TDX (tests/model/kvm_model.h).
 * Every rule cites where Linux 7.3 enforces it; the model refuses with
 * the errno KVM uses and keeps the first refusal.  It answers only what
 * the library asks; anything else is ENOTTY and recorded as a violation,
 * so a new ioctl in the library shows up here before it reaches hardware.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coco_uapi.h"
#include "compat.h"
#include "kvm_ioctl.h"
#include "kvm_model.h"
#include "kvm_util.h"
#include "test_util.h"

#define MODEL_RUN_SIZE		(3 * 4096)
#define MODEL_MAP_PAGES		(1ULL << 20)	/* 4 GiB of 4K pages */
#define MODEL_X2APIC		(1U << 21)	/* CPUID.1:ECX */
#define MODEL_CBIT		51
#define MODEL_TDX_SHARED	(1ULL << 47)	/* GPAW 48 */

static struct kvm_model *model;

static void note(const char *fmt, ...)
{
	size_t len = strlen(model->log);
	va_list ap;

	if (len + 2 >= sizeof(model->log))
		return;
	if (len)
		model->log[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(model->log + len, sizeof(model->log) - len, fmt, ap);
	va_end(ap);
}

/* Refuse like KVM: keep the first rule broken; errno e, -1. */
static int refuse(int e, const char *fmt, ...)
{
	va_list ap;

	note("(%s)", errno_name(e));
	if (!model->violation[0]) {
		va_start(ap, fmt);
		vsnprintf(model->violation, sizeof(model->violation), fmt, ap);
		va_end(ap);
	}
	errno = e;
	return -1;
}

static int new_fd(const char *name, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	TEST_ASSERT(fd >= 0, "memfd_create");
	TEST_ASSERT(!ftruncate(fd, size), "ftruncate");
	return fd;
}

static struct kvm_model_vcpu *vcpu_of(int fd)
{
	unsigned int i;

	for (i = 0; i < model->nr_vcpus; i++)
		if (model->vcpus[i].fd == fd)
			return &model->vcpus[i];
	return NULL;
}

static bool page_private(uint64_t gpa)
{
	uint64_t pfn = gpa >> 12;

	return pfn < MODEL_MAP_PAGES &&
	       model->private_map[pfn / 8] & (1 << (pfn % 8));
}

/* Every page of [gpa, +pages) PRIVATE (guest_memfd.c kvm_gmem_populate). */
static bool range_private(uint64_t gpa, uint64_t pages)
{
	uint64_t i;

	for (i = 0; i < pages; i++)
		if (!page_private(gpa + i * 4096))
			return false;
	return true;
}

static int set_attributes(struct kvm_memory_attributes *a)
{
	uint64_t pfn;

	note("SET_MEMORY_ATTRIBUTES(%s 0x%llx+0x%llx)",
	     a->attributes ? "PRIVATE" : "shared",
	     (unsigned long long)a->address, (unsigned long long)a->size);
	if (a->flags || a->attributes & ~KVM_MEMORY_ATTRIBUTE_PRIVATE ||
	    !a->size || a->address + a->size < a->address ||
	    (a->address | a->size) & 4095)
		return refuse(EINVAL, "KVM_SET_MEMORY_ATTRIBUTES arguments "
			      "(kvm_main.c)");
	for (pfn = a->address >> 12; pfn < (a->address + a->size) >> 12;
	     pfn++) {
		if (pfn >= MODEL_MAP_PAGES)
			break;
		if (a->attributes)
			model->private_map[pfn / 8] |= 1 << (pfn % 8);
		else
			model->private_map[pfn / 8] &= ~(1 << (pfn % 8));
	}
	return 0;
}

/*
 * One populate call (guest_memfd.c kvm_gmem_populate): KVM takes part of
 * the range per call, every page of it PRIVATE.  The pages taken, or 0
 * with the call refused (EINVAL).
 */
static uint64_t populate_step(const char *cmd, uint64_t gpa, uint64_t pages)
{
	uint64_t n = pages < model->pages_per_call ? pages :
						     model->pages_per_call;

	if (!range_private(gpa, n)) {
		refuse(EINVAL, "%s of 0x%llx, not PRIVATE (guest_memfd.c "
		       "kvm_gmem_populate)", cmd, (unsigned long long)gpa);
		return 0;
	}
	model->populated += n;
	return n;
}

/* ---- SEV-SNP (svm/sev.c) -------------------------------------------------- */

static int snp_update(struct kvm_sev_snp_launch_update *u)
{
	uint64_t n;

	note("SNP_LAUNCH_UPDATE(gfn 0x%llx, %llu pages)",
	     (unsigned long long)u->gfn_start,
	     (unsigned long long)(u->len / 4096));
	if (!model->snp_started)
		return refuse(EINVAL, "SNP_LAUNCH_UPDATE before "
			      "SNP_LAUNCH_START (sev.c snp_launch_update: no "
			      "snp_context)");
	if (model->snp_finished)
		return refuse(EINVAL, "SNP_LAUNCH_UPDATE after "
			      "SNP_LAUNCH_FINISH");
	if (!u->len || u->len & 4095 || u->flags || !u->uaddr ||
	    u->uaddr & 4095 || u->type != KVM_SEV_SNP_PAGE_TYPE_NORMAL)
		return refuse(EINVAL, "SNP_LAUNCH_UPDATE arguments (sev.c "
			      "snp_launch_update)");
	n = populate_step("SNP_LAUNCH_UPDATE", u->gfn_start << 12,
			  u->len / 4096);
	if (!n)
		return -1;
	/* Part of the range per call; the rest is written back. */
	u->gfn_start += n;
	u->uaddr += n * 4096;
	u->len -= n * 4096;
	return 0;
}

static int snp_finish(void)
{
	unsigned int i;

	note("SNP_LAUNCH_FINISH");
	if (!model->snp_started)
		return refuse(EINVAL, "SNP_LAUNCH_FINISH before "
			      "SNP_LAUNCH_START (sev.c snp_launch_finish)");
	if (model->snp_finished)
		return refuse(EINVAL, "SNP_LAUNCH_FINISH twice");
	/*
	 * The VMSAs are encrypted from the registers set so far (sev.c
	 * snp_launch_update_vmsa); from now on they are protected.
	 */
	for (i = 0; i < model->nr_vcpus; i++)
		model->vcpus[i].protected_state = true;
	model->snp_finished = true;
	return 0;
}

static int snp_op(struct kvm_sev_cmd *c)
{
	if (c->sev_fd != (uint32_t)model->sev_fd) {
		note("SEV_CMD(%u)", c->id);
		return refuse(EBADF, "SEV command without the /dev/sev fd");
	}
	switch (c->id) {
	case GMEM_KVM_SEV_INIT2:
		note("SEV_INIT2");
		if (model->sev_init)
			return refuse(EPERM, "KVM_SEV_INIT2 twice (sev.c: only "
				      "SNP commands once SNP)");
		if (model->nr_vcpus)
			return refuse(EINVAL, "KVM_SEV_INIT2 after a vCPU was "
				      "created (sev.c __sev_guest_init)");
		model->sev_init = true;
		return 0;
	case GMEM_KVM_SEV_SNP_LAUNCH_START:
		note("SNP_LAUNCH_START");
		if (!model->sev_init)
			return refuse(EINVAL, "SNP_LAUNCH_START before "
				      "KVM_SEV_INIT2 (sev.c snp_launch_start)");
		if (model->snp_started)
			return refuse(EINVAL, "SNP_LAUNCH_START twice");
		model->snp_started = true;
		return 0;
	case GMEM_KVM_SEV_SNP_LAUNCH_UPDATE:
		return snp_update((void *)(uintptr_t)c->data);
	case GMEM_KVM_SEV_SNP_LAUNCH_FINISH:
		return snp_finish();
	}
	note("SEV_CMD(%u)", c->id);
	return refuse(EINVAL, "SEV command %u not modelled", c->id);
}

/* ---- TDX (vmx/tdx.c) ------------------------------------------------------ */

static void tdx_cpuid_answer(struct kvm_cpuid2 *c, bool caps)
{
	c->nent = 2;
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 1,
		.ecx = caps ? ~0U : MODEL_X2APIC };
	/* GPAW is configurable (0xff in the capabilities). */
	c->entries[1] = (struct kvm_cpuid_entry2){ .function = 0x80000008,
		.eax = caps ? 0x00ff0000 : 0x3030 };
}

static int tdx_vm_op(struct kvm_tdx_cmd *c)
{
	struct kvm_tdx_capabilities *caps;

	switch (c->id) {
	case GMEM_KVM_TDX_CAPABILITIES:
		note("TDX_CAPABILITIES");
		caps = (void *)(uintptr_t)c->data;
		if (caps->cpuid.nent < 2)
			return refuse(E2BIG, "KVM_TDX_CAPABILITIES buffer");
		caps->supported_attrs = 0;
		caps->supported_xfam = 0x3;
		tdx_cpuid_answer(&caps->cpuid, true);
		return 0;
	case GMEM_KVM_TDX_INIT_VM:
		note("TDX_INIT_VM");
		if (model->nr_vcpus)
			return refuse(EBUSY, "KVM_TDX_INIT_VM after a vCPU "
				      "was created (tdx.c setup_tdparams)");
		if (model->td_initialized)
			return refuse(EINVAL, "KVM_TDX_INIT_VM twice (tdx.c "
				      "tdx_td_init)");
		model->td_initialized = true;
		return 0;
	case GMEM_KVM_TDX_FINALIZE_VM:
		note("TDX_FINALIZE_VM");
		if (!model->td_initialized || model->td_runnable)
			return refuse(EINVAL, "KVM_TDX_FINALIZE_VM before "
				      "INIT_VM or twice (tdx.c "
				      "tdx_td_finalize)");
		model->td_runnable = true;
		return 0;
	}
	note("TDX_CMD(%u)", c->id);
	return refuse(EINVAL, "TDX VM command %u not modelled", c->id);
}

static int tdx_init_mem(struct kvm_model_vcpu *v,
			struct kvm_tdx_init_mem_region *r, uint32_t flags)
{
	uint64_t n;

	note("TDX_INIT_MEM_REGION(0x%llx, %llu pages%s)",
	     (unsigned long long)r->gpa, (unsigned long long)r->nr_pages,
	     flags & KVM_TDX_MEASURE_MEMORY_REGION ? ", measured" : "");
	if (!v->td_initialized)
		return refuse(EINVAL, "KVM_TDX_INIT_MEM_REGION on a vCPU "
			      "before its KVM_TDX_INIT_VCPU (tdx.c "
			      "tdx_vcpu_init_mem_region)");
	if (flags & ~KVM_TDX_MEASURE_MEMORY_REGION || !r->source_addr ||
	    (r->source_addr | r->gpa) & 4095 || !r->nr_pages ||
	    r->gpa & MODEL_TDX_SHARED)
		return refuse(EINVAL, "KVM_TDX_INIT_MEM_REGION arguments");
	n = populate_step("KVM_TDX_INIT_MEM_REGION", r->gpa, r->nr_pages);
	if (!n)
		return -1;
	r->gpa += n * 4096;
	r->source_addr += n * 4096;
	r->nr_pages -= n;
	return 0;
}

static int tdx_vcpu_op(struct kvm_model_vcpu *v, struct kvm_tdx_cmd *c)
{
	/* tdx.c tdx_vcpu_ioctl / tdx_vcpu_unlocked_ioctl. */
	if (!model->td_initialized || model->td_runnable) {
		note("TDX_VCPU_CMD(%u)", c->id);
		return refuse(EINVAL, "TDX vCPU command %u before INIT_VM or "
			      "after FINALIZE_VM", c->id);
	}
	switch (c->id) {
	case GMEM_KVM_TDX_GET_CPUID: {
		struct kvm_cpuid2 *cpuid = (void *)(uintptr_t)c->data;

		note("TDX_GET_CPUID");
		if (cpuid->nent < 2)
			return refuse(E2BIG, "KVM_TDX_GET_CPUID buffer");
		tdx_cpuid_answer(cpuid, false);
		return 0;
	}
	case GMEM_KVM_TDX_INIT_VCPU:
		note("TDX_INIT_VCPU");
		if (v->td_initialized)
			return refuse(EINVAL, "KVM_TDX_INIT_VCPU twice");
		/* It enables x2APIC: reserved without CPUID X2APIC. */
		if (!v->x2apic)
			return refuse(EINVAL, "KVM_TDX_INIT_VCPU before "
				      "KVM_SET_CPUID2 gave the vCPU X2APIC "
				      "(lapic.c kvm_apic_set_base: x2APIC "
				      "enable bit reserved)");
		v->td_initialized = true;
		return 0;
	case GMEM_KVM_TDX_INIT_MEM_REGION:
		return tdx_init_mem(v, (void *)(uintptr_t)c->data, c->flags);
	}
	note("TDX_VCPU_CMD(%u)", c->id);
	return refuse(EINVAL, "TDX vCPU command %u not modelled", c->id);
}

/* ---- The ioctls ----------------------------------------------------------- */

static int create_vcpu(unsigned long id)
{
	struct kvm_model_vcpu *v;

	note("CREATE_VCPU(%lu)", id);
	if (model->nr_vcpus == MODEL_MAX_VCPUS)
		return refuse(EINVAL, "more vCPUs than the model holds");
	if (model->coco == COCO_TDX && !model->td_initialized)
		return refuse(EIO, "KVM_CREATE_VCPU before KVM_TDX_INIT_VM "
			      "(tdx.c tdx_vcpu_create)");
	if (model->coco == COCO_TDX && !model->split_irqchip)
		return refuse(EINVAL, "TD vCPU without the split irqchip "
			      "(tdx.c tdx_vcpu_create)");
	v = &model->vcpus[model->nr_vcpus++];
	memset(v, 0, sizeof(*v));
	v->fd = new_fd("model-vcpu", MODEL_RUN_SIZE);
	/* TDs without DEBUG: protected from creation (tdx_vcpu_create). */
	v->protected_state = model->coco == COCO_TDX;
	return v->fd;
}

static int set_cpuid(struct kvm_model_vcpu *v, struct kvm_cpuid2 *c)
{
	uint32_t i;

	note("SET_CPUID2");
	v->cpuid_set = true;
	v->x2apic = false;
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			v->x2apic = c->entries[i].ecx & MODEL_X2APIC;
	return 0;
}

static int regs_op(struct kvm_model_vcpu *v, unsigned long req)
{
	bool set = req == KVM_SET_REGS || req == KVM_SET_SREGS;
	bool sregs = req == KVM_SET_SREGS || req == KVM_GET_SREGS;

	note("%s_%s", set ? "SET" : "GET", sregs ? "SREGS" : "REGS");
	/* x86.c: has_protected_state && guest_state_protected. */
	if (v->protected_state)
		return refuse(EINVAL, "%s of a vCPU whose state is protected "
			      "(x86.c)", sregs ? "SREGS" : "REGS");
	if (set && sregs)
		v->sregs_set = true;
	else if (set)
		v->regs_set = true;
	return 0;
}

static int vcpu_ioctl(struct kvm_model_vcpu *v, unsigned long req, void *arg)
{
	switch (req) {
	case KVM_SET_CPUID2:
		return set_cpuid(v, arg);
	case KVM_GET_REGS:
	case KVM_SET_REGS:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
		return regs_op(v, req);
	case KVM_MEMORY_ENCRYPT_OP:
		if (model->coco == COCO_TDX)
			return tdx_vcpu_op(v, arg);
		break;
	case KVM_RUN:
		note("RUN");
		return refuse(EINVAL, "the model does not run guests");
	}
	note("VCPU_IOCTL(0x%lx)", req);
	return refuse(ENOTTY, "vCPU ioctl 0x%lx not modelled", req);
}

static int cap_value(unsigned long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY2:
	case KVM_CAP_GUEST_MEMFD:
		return 1;
	case KVM_CAP_MEMORY_ATTRIBUTES:
		return KVM_MEMORY_ATTRIBUTE_PRIVATE;
	case KVM_CAP_VM_TYPES:
		return 1 << model->vm_type | 1;
	}
	return 0;
}

static int vm_ioctl(unsigned long req, void *arg)
{
	struct kvm_userspace_memory_region2 *m = arg;
	struct kvm_create_guest_memfd *g = arg;
	struct kvm_enable_cap *ec = arg;

	switch (req) {
	case KVM_CHECK_EXTENSION:
		return cap_value((unsigned long)arg);
	case KVM_ENABLE_CAP:
		note("ENABLE_CAP(%u)", ec->cap);
		if (ec->cap != KVM_CAP_SPLIT_IRQCHIP)
			return refuse(EINVAL, "cap %u not modelled", ec->cap);
		if (model->nr_vcpus)
			return refuse(EINVAL, "KVM_CAP_SPLIT_IRQCHIP after a "
				      "vCPU (x86.c)");
		model->split_irqchip = true;
		return 0;
	case KVM_SET_USER_MEMORY_REGION2:
		note("SET_USER_MEMORY_REGION2(%u%s)", m->slot,
		     m->flags & KVM_MEM_GUEST_MEMFD ? ", guest_memfd" : "");
		return 0;
	case KVM_CREATE_GUEST_MEMFD:
		note("CREATE_GUEST_MEMFD");
		return new_fd("model-gmem", g->size);
	case KVM_SET_MEMORY_ATTRIBUTES:
		return set_attributes(arg);
	case KVM_CREATE_VCPU:
		return create_vcpu((unsigned long)arg);
	case KVM_MEMORY_ENCRYPT_OP:
		return model->coco == COCO_SNP ? snp_op(arg) : tdx_vm_op(arg);
	}
	note("VM_IOCTL(0x%lx)", req);
	return refuse(ENOTTY, "VM ioctl 0x%lx not modelled", req);
}

static void supported_cpuid(struct kvm_cpuid2 *c)
{
	c->nent = 3;
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 1,
		.ecx = MODEL_X2APIC };
	c->entries[1] = (struct kvm_cpuid_entry2){ .function = 0x80000008,
		.eax = 0x3030 };
	c->entries[2] = (struct kvm_cpuid_entry2){ .function = 0x8000001f,
		.eax = 0x1b, .ebx = MODEL_CBIT | 1 << 6 };
}

static int kvm_dev_ioctl(unsigned long req, void *arg)
{
	struct kvm_device_attr *attr = arg;

	switch (req) {
	case KVM_GET_API_VERSION:
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return cap_value((unsigned long)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return MODEL_RUN_SIZE;
	case KVM_CREATE_VM:
		note("CREATE_VM(%lu)", (unsigned long)arg);
		if ((unsigned long)arg != model->vm_type)
			return refuse(EINVAL, "VM type %lu not offered",
				      (unsigned long)arg);
		model->vm_fd = new_fd("model-vm", 4096);
		return model->vm_fd;
	case KVM_GET_SUPPORTED_CPUID:
		if (((struct kvm_cpuid2 *)arg)->nent < 3)
			return refuse(E2BIG, "KVM_GET_SUPPORTED_CPUID buffer");
		supported_cpuid(arg);
		return 0;
	case KVM_GET_DEVICE_ATTR:
		/* KVM_X86_SNP_POLICY_BITS: 7.3's KVM_SNP_POLICY_MASK_VALID. */
		*(uint64_t *)(uintptr_t)attr->addr = 0x3fbffffULL;
		return 0;
	}
	note("KVM_IOCTL(0x%lx)", req);
	return refuse(ENOTTY, "/dev/kvm ioctl 0x%lx not modelled", req);
}

static int model_ioctl(int fd, unsigned long req, void *arg)
{
	struct kvm_model_vcpu *v;

	if (fd == model->kvm_fd)
		return kvm_dev_ioctl(req, arg);
	if (fd == model->vm_fd)
		return vm_ioctl(req, arg);
	v = vcpu_of(fd);
	if (v)
		return vcpu_ioctl(v, req, arg);
	/* guest_memfd: nothing the launch path asks of it. */
	note("IOCTL(fd %d, 0x%lx)", fd, req);
	return refuse(ENOTTY, "ioctl 0x%lx on an fd the model did not make",
		      req);
}

static int model_open(const char *path, int flags)
{
	(void)flags;
	if (!strcmp(path, "/dev/kvm")) {
		model->kvm_fd = new_fd("model-kvm", 0);
		return model->kvm_fd;
	}
	if (!strcmp(path, "/dev/sev") && model->coco == COCO_SNP) {
		model->sev_fd = new_fd("model-sev", 0);
		return model->sev_fd;
	}
	errno = ENOENT;
	return -1;
}

/* An AMD host with SEV-SNP, or an Intel one. */
static void model_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a,
			uint32_t *b, uint32_t *c, uint32_t *d)
{
	(void)sub;
	*a = *b = *c = *d = 0;
	if (leaf == 0) {
		*a = 0x10;
		*b = model->coco == COCO_SNP ? 0x68747541 : 0x756e6547;
	} else if (leaf == 0x8000001f && model->coco == COCO_SNP) {
		*a = 0x1b;		/* SME, SEV, SEV-ES, SEV-SNP */
		*b = MODEL_CBIT | 1 << 6;
	}
}

void kvm_model_start(struct kvm_model *m, enum coco_kind coco)
{
	memset(m, 0, sizeof(*m));
	m->coco = coco;
	m->vm_type = coco == COCO_SNP ? KVM_X86_SNP_VM : KVM_X86_TDX_VM;
	m->kvm_fd = m->vm_fd = m->sev_fd = -1;
	m->pages_per_call = 64;
	m->private_map = calloc(1, MODEL_MAP_PAGES / 8);
	TEST_ASSERT(m->private_map, "calloc");
	model = m;
	kvm_ioctl_hook = model_ioctl;
	kvm_open_hook = model_open;
	host_cpuid_hook = model_cpuid;
}

void kvm_model_stop(struct kvm_model *m)
{
	kvm_ioctl_hook = NULL;
	kvm_open_hook = NULL;
	host_cpuid_hook = NULL;
	free(m->private_map);
	m->private_map = NULL;
	model = NULL;
}

const char *kvm_model_run_refused(struct kvm_model *m)
{
	/* x86.c kvm_x86_vcpu_pre_run: vcpu_needs_initialization. */
	if (m->coco == COCO_SNP && !m->snp_finished)
		return "KVM_RUN before SNP_LAUNCH_FINISH (sev.c need_init)";
	if (m->coco == COCO_TDX && !m->td_runnable)
		return "KVM_RUN before KVM_TDX_FINALIZE_VM (tdx.c "
		       "tdx_vcpu_needs_initialization)";
	if (m->coco == COCO_TDX) {
		unsigned int i;

		for (i = 0; i < m->nr_vcpus; i++)
			if (!m->vcpus[i].td_initialized)
				return "KVM_RUN on a vCPU without "
				       "KVM_TDX_INIT_VCPU";
	}
	return NULL;
}

int kvm_model_find(const struct kvm_model *m, const char *what)
{
	const char *p = strstr(m->log, what);

	return p ? (int)(p - m->log) : -1;
}
