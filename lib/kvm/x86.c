// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 long mode for guests: the system memslot with a copy of this
 * binary, identity page tables, GDT/IDT/TSS and a fully architectural
 * vCPU state.  PVM accepts sloppy state that SVM/VMX reject with EINVAL,
 * so every field a VMCS/VMCB consistency check looks at is set properly.
 */
#include <link.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kvm_ioctl.h"
#include "boot_stub.h"
#include "coco_guest.h"
#include "kvm_util.h"
#include "processor.h"

#define VCPU_STACK_PAGES	(GUEST_STACK_BYTES / SZ_4K)
#define GDT_CODE_SEL		0x08
#define GDT_DATA_SEL		0x10
#define GDT_TSS_SEL(i)		(0x18 + 16 * (i))
#define GDT_ENTRIES		(3 + 2 * VM_MAX_VCPUS)

static void write_guest_vm_info(struct kvm_vcpu *vcpu);
static void patch_ucall_send(struct kvm_vm *vm);
static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		    bool code);

/* lib/kvm/guest_entry.S */
extern char guest_idt_stubs[];
extern char guest_code_return[];

struct image_extent {
	uint64_t start, end;
	int nr;
	struct { uint64_t start, end; } seg[16];
	bool pie;
};

static int image_phdr_cb(struct dl_phdr_info *info, size_t sz __unused,
			 void *data)
{
	struct image_extent *ex = data;
	int i;

	/* The first object is the executable itself. */
	ex->pie = info->dlpi_addr != 0;
	ex->start = ~0ULL;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t s = ALIGN_DOWN((uint64_t)ph->p_vaddr, SZ_4K);
		uint64_t e = ALIGN_UP((uint64_t)(ph->p_vaddr + ph->p_memsz),
				      SZ_4K);

		if (ph->p_type != PT_LOAD || ex->nr == ARRAY_SIZE(ex->seg))
			continue;
		ex->seg[ex->nr].start = s;
		ex->seg[ex->nr].end = e;
		ex->nr++;
		if (s < ex->start)
			ex->start = s;
		if (e > ex->end)
			ex->end = e;
	}
	return 1;
}

uint64_t vm_alloc_sys_pages(struct kvm_vm *vm, unsigned int nr_pages)
{
	uint64_t gpa = vm->sys_next;

	TEST_ASSERT(!vm->launched || vm->coco == COCO_NONE,
		    "%s VM already launched: its system pages are private "
		    "and measured, allocate them before the first KVM_RUN",
		    vm_kind_info(vm->kind)->name);

	TEST_ASSERT(gpa + nr_pages * SZ_4K <= vm->sys_end,
		    "system slot exhausted (%llu MiB pool)",
		    (unsigned long long)(SYS_POOL_SIZE >> 20));
	vm->sys_next += nr_pages * SZ_4K;
	memset(addr_gpa2hva(vm, gpa), 0, nr_pages * SZ_4K);
	return gpa;
}

uint64_t vm_alloc_shared_pages(struct kvm_vm *vm, unsigned int nr_pages)
{
	uint64_t gpa = vm->shared_next;

	TEST_ASSERT(gpa + nr_pages * SZ_4K <= vm->shared_end,
		    "shared window of the system slot exhausted");
	vm->shared_next += nr_pages * SZ_4K;
	memset(addr_gpa2hva(vm, gpa), 0, nr_pages * SZ_4K);
	return gpa;
}

struct kvm_cpuid_entry2 *vm_cpuid_entry(struct kvm_vm *vm, uint32_t fn,
					uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < vm->cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &vm->cpuid->entries[i];

		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == idx))
			return e;
	}
	return NULL;
}

bool vm_supports_guest_page(struct kvm_vm *vm, enum guest_page page,
			    const char **why)
{
	struct kvm_cpuid_entry2 *e = vm_cpuid_entry(vm, 0x80000001, 0);

	if (page != GUEST_PAGE_1G)
		return true;
	if (e && (e->edx & CPUID_8000_0001_EDX_GBPAGES))
		return true;
	*why = "1G guest mappings need CPUID.80000001H:EDX.Page1GB "
	       "(GBPAGES), absent from KVM_GET_SUPPORTED_CPUID";
	return false;
}

void x86_get_supported_cpuid(struct kvm_vm *vm)
{
	int nent = 128;

	if (vm->cpuid)
		return;
	for (;;) {
		vm->cpuid = calloc(1, sizeof(*vm->cpuid) +
				   nent * sizeof(vm->cpuid->entries[0]));
		TEST_ASSERT(vm->cpuid, "calloc");
		vm->cpuid->nent = nent;
		if (!kvm_ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid))
			break;
		TEST_ASSERT(errno == E2BIG, "KVM_GET_SUPPORTED_CPUID");
		free(vm->cpuid);
		nent *= 2;
	}
}

static void detect_cpu(struct kvm_vm *vm)
{
	struct kvm_cpuid_entry2 *e = vm_cpuid_entry(vm, 0x80000008, 0);
	uint32_t a, b, c, d;

	vm->phys_bits = e ? (e->eax & 0xff) : 36;
	host_cpuid(0, 0, &a, &b, &c, &d);
	/* "AuthenticAMD" / "HygonGenuine": EBX "Auth" / "Hygo". */
	vm->amd = b == 0x68747541 || b == 0x6f677948;
}

/* ---- Page tables --------------------------------------------------------- */

static uint64_t *pte_ptr(struct kvm_vm *vm, uint64_t table, unsigned int i)
{
	return (uint64_t *)addr_gpa2hva(vm, table) + i;
}

static uint64_t next_table(struct kvm_vm *vm, uint64_t *pte, uint64_t gva)
{
	if (!(*pte & PTE_P))
		*pte = vm_alloc_sys_pages(vm, 1) | PTE_P | PTE_RW | PTE_A;
	TEST_ASSERT(!(*pte & PTE_PS), "GVA 0x%llx already mapped by a huge "
		    "leaf", (unsigned long long)gva);
	return *pte & PTE_ADDR_MASK;
}

static void map_one(struct kvm_vm *vm, uint64_t gva, uint64_t gpa,
		    enum guest_page page, uint64_t enc)
{
	/* Leaf level: 1 = PT (4K), 2 = PD (2M), 3 = PDPT (1G). */
	int leaf_level = 1 + (int)page, level;
	uint64_t table = vm->pml4, *pte;

	for (level = 4; level > leaf_level; level--) {
		pte = pte_ptr(vm, table, (gva >> (12 + 9 * (level - 1))) & 511);
		table = next_table(vm, pte, gva);
	}
	pte = pte_ptr(vm, table, (gva >> (12 + 9 * (leaf_level - 1))) & 511);
	TEST_ASSERT(!(*pte & PTE_P), "GVA 0x%llx mapped twice",
		    (unsigned long long)gva);
	/* A and D preset: the guest's own walk never writes them back. */
	*pte = gpa | enc | PTE_P | PTE_RW | PTE_A | PTE_D |
	       (page != GUEST_PAGE_4K ? PTE_PS : 0);
}

uint64_t x86_leaf_enc(struct kvm_vm *vm, bool private)
{
	return coco_leaf_bits(vm->coco, private, vm->coco_bit);
}

void virt_map(struct kvm_vm *vm, uint64_t gva, uint64_t gpa, uint64_t size,
	      enum guest_page page)
{
	virt_map_enc(vm, gva, gpa, size, page, x86_leaf_enc(vm, false));
}

void virt_map_enc(struct kvm_vm *vm, uint64_t gva, uint64_t gpa,
		  uint64_t size, enum guest_page page, uint64_t enc)
{
	uint64_t step = guest_page_bytes(page), off;

	TEST_ASSERT(IS_ALIGNED(gva | gpa | size, step),
		    "virt_map: 0x%llx -> 0x%llx size 0x%llx not aligned to "
		    "0x%llx", (unsigned long long)gva,
		    (unsigned long long)gpa, (unsigned long long)size,
		    (unsigned long long)step);
	TEST_ASSERT(gva + size <= (1ULL << 47), "GVA 0x%llx beyond 47 bits",
		    (unsigned long long)(gva + size));
	TEST_ASSERT(gpa + size <= (1ULL << vm->phys_bits),
		    "GPA 0x%llx beyond MAXPHYADDR (%u bits)",
		    (unsigned long long)(gpa + size), vm->phys_bits);
	for (off = 0; off < size; off += step)
		map_one(vm, gva + off, gpa + off, page, enc);
}

/* ---- Descriptor tables -------------------------------------------------- */

static void gdt_set_tss(struct kvm_vm *vm, unsigned int i, uint64_t base)
{
	uint64_t *gdt = addr_gpa2hva(vm, vm->gdt);
	uint64_t lo, limit = 0x67;

	/*
	 * 64-bit TSS descriptor, type 0x9 (available: the boot stub's LTR
	 * marks it busy; KVM_SET_SREGS takes TR directly), present.
	 */
	lo = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	     (0x9ULL << 40) | (1ULL << 47) | (((limit >> 16) & 0xf) << 48) |
	     (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS_SEL(i) / 8] = lo;
	gdt[GDT_TSS_SEL(i) / 8 + 1] = base >> 32;
}

static void setup_descriptor_tables(struct kvm_vm *vm)
{
	uint64_t *gdt, *idt, stub;
	unsigned int v;

	vm->gdt = vm_alloc_sys_pages(vm, 1);
	gdt = addr_gpa2hva(vm, vm->gdt);
	/* 64-bit code: P, S, DPL0, type 0xB, L, G. */
	gdt[GDT_CODE_SEL / 8] = 0x00af9b000000ffffULL;
	/* Data: P, S, DPL0, type 0x3, D/B, G. */
	gdt[GDT_DATA_SEL / 8] = 0x00cf93000000ffffULL;

	vm->idt = vm_alloc_sys_pages(vm, 1);
	idt = addr_gpa2hva(vm, vm->idt);
	for (v = 0; v < 256; v++) {
		stub = (uint64_t)(uintptr_t)guest_idt_stubs + 16 * v;
		/* 64-bit interrupt gate (type 0xE), present, DPL0. */
		idt[2 * v] = (stub & 0xffff) | ((uint64_t)GDT_CODE_SEL << 16) |
			     (0x8EULL << 40) | (((stub >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = stub >> 32;
	}
}

/* ---- VM and vCPU setup -------------------------------------------------- */

void x86_vm_setup(struct kvm_vm *vm)
{
	struct image_extent ex = { 0 };
	struct kvm_region *sys;
	uint64_t size;
	int i;

	x86_get_supported_cpuid(vm);
	detect_cpu(vm);
	dl_iterate_phdr(image_phdr_cb, &ex);
	TEST_ASSERT(!ex.pie, "guest code needs a binary linked with -no-pie");

	size = ALIGN_UP(ex.end, SZ_2M) + SYS_POOL_SIZE;
	/*
	 * Confidential VMs run from private memory: the anonymous mapping
	 * is then the shared side and the source the launch commands copy
	 * (and measure) into the guest_memfd.
	 */
	sys = vm_add_region(vm, &(struct region_spec){
		.gpa = 0, .size = size, .backing = BACKING_ANON,
		.no_guest_map = true,
		.gmem = vm->coco != COCO_NONE ? GMEM_CREATE : GMEM_NONE,
	});
	vm->sys = sys;
	for (i = 0; i < ex.nr; i++)
		memcpy((char *)sys->hva + ex.seg[i].start,
		       (void *)(uintptr_t)ex.seg[i].start,
		       ex.seg[i].end - ex.seg[i].start);
	TEST_ASSERT(ex.start >= SZ_2M, "binary loaded below 2 MiB (0x%llx): "
		    "the shared window needs [4K, 2M)",
		    (unsigned long long)ex.start);
	vm->sys_next = ALIGN_UP(ex.end, SZ_2M);
	vm->sys_end = size;
	vm->shared_next = SZ_4K;
	vm->shared_end = SZ_2M;
	if (vm->coco != COCO_NONE)
		patch_ucall_send(vm);

	vm->pml4 = vm_alloc_sys_pages(vm, 1);
	/* Page 0 stays unmapped so that NULL dereferences fault. */
	virt_map_enc(vm, SZ_4K, SZ_4K, SZ_2M - SZ_4K, GUEST_PAGE_4K,
		     x86_leaf_enc(vm, false));
	virt_map_enc(vm, SZ_2M, SZ_2M, size - SZ_2M, GUEST_PAGE_2M,
		     x86_leaf_enc(vm, true));
	setup_descriptor_tables(vm);
	if (vm->backend && vm->backend->boot_stub)
		vm_use_boot_stub(vm);
}

void ucall_send_shared(struct ucall *uc);

/* Patch the guest's ucall_send to jump to ucall_send_shared. */
static void patch_ucall_send(struct kvm_vm *vm)
{
	uint64_t site = (uintptr_t)ucall_send_patch;
	int32_t rel = (int64_t)(uintptr_t)ucall_send_shared - (site + 5);
	uint8_t *p = addr_gpa2hva(vm, site);

	p[0] = 0xe9;
	memcpy(p + 1, &rel, sizeof(rel));
}

void vm_ucall_via_shared(struct kvm_vm *vm)
{
	unsigned int i;

	TEST_ASSERT(!vm->launched, "vm_ucall_via_shared() before KVM_RUN");
	vm->ucall_shared = true;
	patch_ucall_send(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		write_guest_vm_info(vm->vcpus[i]);
}

/* The VM-wide facts in a vCPU's info (read before any ucall). */
static void write_guest_vm_info(struct kvm_vcpu *vcpu)
{
	struct kvm_vm *vm = vcpu->vm;
	struct guest_vcpu_info *info = addr_gpa2hva(vm, vcpu->info_gpa);

	info->vm.coco = vm->coco;
	info->vm.coco_bit = vm->coco_bit;
	info->vm.amd = vm->amd;
	info->vm.ucall_shared = vm->coco != COCO_NONE || vm->ucall_shared;
}

/* ---- Boot stub ------------------------------------------------------------ */

void vm_use_boot_stub(struct kvm_vm *vm)
{
	struct boot_params *bp;
	struct kvm_region *r;
	uint32_t params;

	_Static_assert(offsetof(struct boot_params, cr3) == BP_CR3, "");
	_Static_assert(offsetof(struct boot_params, cr4) == BP_CR4, "");
	_Static_assert(offsetof(struct boot_params, gdtr) == BP_GDTR, "");
	_Static_assert(offsetof(struct boot_params, idtr) == BP_IDTR, "");
	_Static_assert(offsetof(struct boot_params, vcpu) == BP_VCPU, "");
	_Static_assert(offsetof(struct boot_vcpu, r9) == BV_R9, "");
	_Static_assert(offsetof(struct boot_vcpu, tr) == BV_TR, "");
	_Static_assert(sizeof(struct boot_vcpu) == BV_SIZE, "");

	TEST_ASSERT(!vm->nr_vcpus, "vm_use_boot_stub() before any vCPU");
	if (vm->boot_stub)
		return;
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = BOOT_STUB_GPA, .size = SZ_4K, .backing = BACKING_ANON,
		.no_guest_map = true,
		.gmem = vm->coco != COCO_NONE ? GMEM_CREATE : GMEM_NONE,
	});
	/* Identity-mapped: the stub's 64-bit half runs with paging on. */
	virt_map_enc(vm, BOOT_STUB_GPA, BOOT_STUB_GPA, SZ_4K, GUEST_PAGE_4K,
		     x86_leaf_enc(vm, true));
	vm->boot_params = vm_alloc_sys_pages(vm, DIV_ROUND_UP(
		sizeof(*bp) + VM_MAX_VCPUS * sizeof(bp->vcpu[0]), SZ_4K));
	TEST_ASSERT(vm->boot_params + SZ_4K < (1ULL << 32),
		    "boot params above 4 GiB");
	memcpy(r->hva, boot_stub_page, SZ_4K);
	params = vm->boot_params;
	memcpy((char *)r->hva + BOOT_STUB_PARAMS_OFF, &params, sizeof(params));

	bp = addr_gpa2hva(vm, vm->boot_params);
	bp->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		  X86_CR0_WP | X86_CR0_AM | X86_CR0_PG;
	bp->cr3 = vm->pml4;
	/* TDX keeps CR4.MCE set. */
	bp->cr4 = X86_CR4_PAE | X86_CR4_MCE | X86_CR4_OSFXSR |
		  X86_CR4_OSXMMEXCPT;
	bp->gdtr.base = vm->gdt;
	bp->gdtr.limit = GDT_ENTRIES * 8 - 1;
	bp->idtr.base = vm->idt;
	bp->idtr.limit = 256 * 16 - 1;
	vm->boot_stub = true;
}

static struct boot_vcpu *boot_vcpu(struct kvm_vcpu *vcpu)
{
	struct boot_params *bp = addr_gpa2hva(vcpu->vm, vcpu->vm->boot_params);

	return &bp->vcpu[vcpu->id];
}

/* The registers the boot stub loads, both ways. */
static void boot_regs_copy(struct boot_vcpu *b, struct kvm_regs *regs,
			   bool to_boot)
{
	uint64_t *boot[] = { &b->rip, &b->rsp, &b->rdi, &b->rsi, &b->rdx,
			     &b->rcx, &b->r8, &b->r9 };
	__u64 *kvm[] = { &regs->rip, &regs->rsp, &regs->rdi, &regs->rsi,
			 &regs->rdx, &regs->rcx, &regs->r8, &regs->r9 };
	unsigned int i;

	if (!to_boot) {
		memset(regs, 0, sizeof(*regs));
		regs->rflags = 0x2;
	}
	for (i = 0; i < ARRAY_SIZE(boot); i++) {
		if (to_boot)
			*boot[i] = *kvm[i];
		else
			*kvm[i] = *boot[i];
	}
}

bool x86_boot_regs_access(struct kvm_vcpu *vcpu, struct kvm_regs *regs,
			  bool set)
{
	if (!vcpu->vm->boot_stub || vcpu->vm->launched)
		return false;
	boot_regs_copy(boot_vcpu(vcpu), regs, set);
	return true;
}

void vcpu_set_tdx_reset_state(struct kvm_vcpu *vcpu, bool efer_lme)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &sregs), "KVM_GET_SREGS");
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	sregs.cr3 = 0;
	sregs.cr4 = X86_CR4_MCE;
	sregs.efer = efer_lme ? EFER_LME : 0;
	set_seg(&sregs.cs, GDT_CODE_SEL, 0xB, false);
	set_seg(&sregs.ds, GDT_DATA_SEL, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr.base = 0;
	sregs.tr.type = 0xB;	/* 32-bit busy TSS */
	sregs.gdt.base = sregs.idt.base = 0;
	sregs.gdt.limit = sregs.idt.limit = 0xffff;
	TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &sregs), "KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = 0xfffffff0;
	regs.rsi = vcpu->id;
	TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_SET_REGS, &regs), "KVM_SET_REGS");
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		    bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

static void vcpu_setup_sregs(struct kvm_vcpu *vcpu, uint64_t tss)
{
	struct kvm_vm *vm = vcpu->vm;
	struct kvm_cpuid_entry2 *e = vm_cpuid_entry(vm, 0x80000001, 0);
	struct kvm_sregs sregs;

	TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &sregs), "KVM_GET_SREGS");
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		    X86_CR0_WP | X86_CR0_AM | X86_CR0_PG;
	sregs.cr3 = vm->pml4;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs.efer = EFER_LME | EFER_LMA | EFER_SCE;
	if (e && (e->edx & CPUID_8000_0001_EDX_NX))
		sregs.efer |= EFER_NX;

	set_seg(&sregs.cs, GDT_CODE_SEL, 0xB, true);
	set_seg(&sregs.ds, GDT_DATA_SEL, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;

	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = GDT_TSS_SEL(vcpu->id);
	sregs.tr.base = tss;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 0xB;
	sregs.tr.present = 1;

	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.type = 0x2;
	sregs.ldt.unusable = 1;

	sregs.gdt.base = vm->gdt;
	sregs.gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs.idt.base = vm->idt;
	sregs.idt.limit = 256 * 16 - 1;
	TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &sregs), "KVM_SET_SREGS");
}

/*
 * Per-vCPU info at the top of the stack (private in confidential VMs,
 * written before launch), ucall and GHCB pages in the shared window.
 */
static void setup_vcpu_info(struct kvm_vcpu *vcpu)
{
	struct kvm_vm *vm = vcpu->vm;
	struct guest_vcpu_info *info;
	uint64_t shared = vm_alloc_shared_pages(vm, 2);

	vcpu->info_gpa = vcpu->stack_top - GUEST_VCPU_INFO_BYTES;
	info = addr_gpa2hva(vm, vcpu->info_gpa);
	info->self = vcpu->info_gpa;
	info->id = vcpu->id;
	info->ucall_gpa = shared;
	info->ghcb_gpa = shared + SZ_4K;
	vcpu->progress = (uint64_t *)((char *)addr_gpa2hva(vm, shared) +
				      UCALL_PROGRESS_OFFSET);
	write_guest_vm_info(vcpu);
}

void x86_vcpu_setup(struct kvm_vcpu *vcpu, void *guest_code)
{
	struct kvm_vm *vm = vcpu->vm;
	uint64_t stack, tss, *ret;
	struct kvm_regs regs;

	_Static_assert(sizeof(struct guest_vcpu_info) <= GUEST_VCPU_INFO_BYTES,
		       "");
	if (vm->backend && vm->backend->vcpu_init)
		vm->backend->vcpu_init(vcpu);
	else
		TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, vm->cpuid),
			    "KVM_SET_CPUID2 (%u entries)", vm->cpuid->nent);
	tss = vm_alloc_sys_pages(vm, 1);
	gdt_set_tss(vm, vcpu->id, tss);
	/* Aligned to its size: the guest finds its info from RSP. */
	vm->sys_next = ALIGN_UP(vm->sys_next, GUEST_STACK_BYTES);
	stack = vm_alloc_sys_pages(vm, VCPU_STACK_PAGES);
	vcpu->stack_top = stack + VCPU_STACK_PAGES * SZ_4K;
	setup_vcpu_info(vcpu);
	if (vm->boot_stub)
		boot_vcpu(vcpu)->tr = GDT_TSS_SEL(vcpu->id);
	else
		vcpu_setup_sregs(vcpu, tss);

	/* guest_code returns into a trampoline that reports UCALL_DONE. */
	ret = addr_gpa2hva(vm, vcpu->info_gpa - 8);
	*ret = (uint64_t)(uintptr_t)guest_code_return;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = (uint64_t)(uintptr_t)guest_code;
	regs.rsp = vcpu->info_gpa - 8;
	vcpu_set_regs(vcpu, &regs);
}
