// SPDX-License-Identifier: GPL-2.0
/*
 * VMs, memslots, vCPUs and the run loop with its watchdog.
 */
#include <fcntl.h>
#include <linux/memfd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_ioctl.h"
#include "gmem.h"
#include "kvm_util.h"
#include "processor.h"
#include "kvm_stats.h"

#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB	(21 << 26)
#define MFD_HUGE_1GB	(30 << 26)
#endif

#define WATCHDOG_SIGNAL		SIGUSR2
#define DEFAULT_RUN_TIMEOUT_MS	60000


void (*vm_created_hook)(enum vm_kind k);
/* ---- /dev/kvm ---------------------------------------------------------- */

int open_kvm_dev(void)
{
	int fd = kvm_open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);
	int api;

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			test_skip("%s not present: KVM is not loaded or not "
				  "available (modprobe kvm_intel or kvm_amd)",
				  KVM_DEV_PATH);
		if (errno == EACCES || errno == EPERM)
			test_skip("no permission to open %s (run as root or "
				  "join the kvm group)", KVM_DEV_PATH);
		test_skip("cannot open %s: %s", KVM_DEV_PATH, strerror(errno));
	}
	api = kvm_ioctl(fd, KVM_GET_API_VERSION, NULL);
	if (api != KVM_API_VERSION) {
		close(fd);
		test_skip("KVM API version %d, expected %d", api,
			  KVM_API_VERSION);
	}
	return fd;
}

int kvm_check_cap(long cap)
{
	int fd = open_kvm_dev();
	int r = kvm_ioctl(fd, KVM_CHECK_EXTENSION, (void *)cap);

	close(fd);
	return r < 0 ? 0 : r;
}

static const char *const backing_names[NR_BACKING_TYPES] = {
	[BACKING_ANON] = "anon",
	[BACKING_THP] = "thp",
	[BACKING_SHMEM] = "shmem",
	[BACKING_HUGETLB_2M] = "hugetlb2m",
	[BACKING_HUGETLB_1G] = "hugetlb1g",
	[BACKING_GMEM] = "gmem",
	[BACKING_NONE] = "none",
};

const char *backing_name(enum backing_type t)
{
	return t < NR_BACKING_TYPES ? backing_names[t] : "?";
}

bool backing_from_name(const char *name, enum backing_type *t)
{
	unsigned int i;

	for (i = 0; i < NR_BACKING_TYPES; i++) {
		if (!strcmp(name, backing_names[i])) {
			*t = i;
			return true;
		}
	}
	return false;
}

uint64_t guest_page_bytes(enum guest_page p)
{
	return p == GUEST_PAGE_1G ? SZ_1G : p == GUEST_PAGE_2M ? SZ_2M : SZ_4K;
}

const char *vm_type_name(unsigned long type)
{
	static const char *const names[] = {
		"KVM_X86_DEFAULT_VM", "KVM_X86_SW_PROTECTED_VM",
		"KVM_X86_SEV_VM", "KVM_X86_SEV_ES_VM", "KVM_X86_SNP_VM",
		"KVM_X86_TDX_VM",
	};

	return type < ARRAY_SIZE(names) ? names[type] : "unknown VM type";
}

/* ---- Watchdog ----------------------------------------------------------
 * One thread per process watches every vCPU that sits in KVM_RUN.  It
 * measures progress, not the length of a run: the time since the run
 * started or the guest last bumped its progress word (guest_progress(),
 * once per chunk of a long loop), whichever is later.  Past the timeout
 * it signals the vCPU's thread; KVM_RUN returns EINTR and the run is
 * reported as hung.  A first touch of many GiB on a slow host keeps
 * going; a guest spinning in place is caught in the timeout.  The hot
 * path costs two stores and a vDSO clock read.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running, stop;
	struct kvm_vcpu *vcpus[4 * VM_MAX_VCPUS];
	unsigned int nr;
} wd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void watchdog_signal_handler(int sig __unused) { }

static void *watchdog_fn(void *arg __unused)
{
	pthread_mutex_lock(&wd.lock);
	while (!wd.stop) {
		struct timespec ts;
		uint64_t now = now_ns();
		unsigned int i;

		for (i = 0; i < wd.nr; i++) {
			struct kvm_vcpu *v = wd.vcpus[i];
			uint64_t start;

			/*
			 * in_run first (acquire), then the start time it
			 * publishes: the other order judges a new run by a
			 * stale start (0 before the first run).
			 */
			if (!__atomic_load_n(&v->in_run, __ATOMIC_ACQUIRE))
				continue;
			start = v->run_start_ns;
			if (v->progress && *v->progress != v->wd_progress) {
				v->wd_progress = *v->progress;
				v->wd_progress_ns = now;
			}
			if (v->wd_progress_ns > start)
				start = v->wd_progress_ns;
			if (now < start ||
			    now - start < v->vm->run_timeout_ms * 1000000ULL)
				continue;
			v->timed_out = 1;
			pthread_kill(v->thread, WATCHDOG_SIGNAL);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&wd.cond, &wd.lock, &ts);
	}
	pthread_mutex_unlock(&wd.lock);
	return NULL;
}

static void watchdog_register(struct kvm_vcpu *vcpu)
{
	static bool handler_installed;

	if (!handler_installed) {
		struct sigaction sa = { .sa_handler = watchdog_signal_handler };

		sigemptyset(&sa.sa_mask);
		sigaction(WATCHDOG_SIGNAL, &sa, NULL);	/* no SA_RESTART */
		handler_installed = true;
	}
	pthread_mutex_lock(&wd.lock);
	TEST_ASSERT(wd.nr < ARRAY_SIZE(wd.vcpus), "too many vCPUs");
	wd.vcpus[wd.nr++] = vcpu;
	if (!wd.running) {
		wd.stop = false;
		TEST_ASSERT(!pthread_create(&wd.thread, NULL, watchdog_fn,
					    NULL), "watchdog thread");
		wd.running = true;
	}
	pthread_mutex_unlock(&wd.lock);
}

static void watchdog_unregister(struct kvm_vcpu *vcpu)
{
	bool join = false;
	unsigned int i;

	pthread_mutex_lock(&wd.lock);
	for (i = 0; i < wd.nr; i++) {
		if (wd.vcpus[i] == vcpu) {
			wd.vcpus[i] = wd.vcpus[--wd.nr];
			break;
		}
	}
	if (!wd.nr && wd.running) {
		wd.stop = true;
		wd.running = false;
		pthread_cond_signal(&wd.cond);
		join = true;
	}
	pthread_mutex_unlock(&wd.lock);
	if (join)
		pthread_join(wd.thread, NULL);
}

static unsigned int scaled_timeout(unsigned int t)
{
	const char *scale = getenv("GMEMSUITE_TIMEOUT_SCALE");

	if (scale && atoi(scale) > 0)
		t *= atoi(scale);
	return t;
}

static unsigned int run_timeout_ms(void)
{
	const char *ms = getenv("GMEMSUITE_RUN_TIMEOUT_MS");

	return scaled_timeout(ms && atoi(ms) > 0 ? atoi(ms) :
			      DEFAULT_RUN_TIMEOUT_MS);
}

void vm_set_run_timeout(struct kvm_vm *vm, unsigned int ms)
{
	vm->run_timeout_ms = scaled_timeout(ms);
}

/* ---- VMs ----------------------------------------------------------------- */

/* KVM_CREATE_VM and the backend's VM setup; NULL with why on failure. */
static struct kvm_vm *create_kind(enum vm_kind k, char *why, size_t len)
{
	const struct vm_kind_info *info = vm_kind_info(k);
	struct kvm_vm *vm = calloc(1, sizeof(*vm));
	int err;

	TEST_ASSERT(vm, "calloc");
	vm->kvm_fd = open_kvm_dev();
	vm->fd = kvm_ioctl(vm->kvm_fd, KVM_CREATE_VM,
			   (void *)info->type);
	if (vm->fd < 0) {
		err = errno;
		snprintf(why, len, "KVM_CREATE_VM(%s): %s",
			 vm_type_name(info->type), errno_name(err));
		close(vm->kvm_fd);
		free(vm);
		errno = err;
		return NULL;
	}
	vm->type = info->type;
	vm->kind = k;
	if (vm_created_hook)
		vm_created_hook(k);
	vm->coco = info->coco;
	vm->sev_fd = -1;
	vm->backend = vm_backend_of(k);
	vm->next_slot = SYS_SLOT;	/* x86_vm_setup() takes it */
	vm->run_timeout_ms = run_timeout_ms();
	if (vm->backend && vm->backend->vm_init) {
		err = vm->backend->vm_init(vm, why, len);
		if (err) {
			vm_free(vm);
			errno = -err;
			return NULL;
		}
	}
	x86_vm_setup(vm);
	return vm;
}

struct kvm_vm *__vm_create(unsigned long type)
{
	enum vm_kind k = vm_kind_from_type(type);
	char why[256];

	if (k == NR_VM_KINDS) {
		errno = EINVAL;
		return NULL;
	}
	return create_kind(k, why, sizeof(why));
}

struct kvm_vm *vm_create(unsigned long type)
{
	struct kvm_vm *vm = __vm_create(type);

	if (!vm && errno == EINVAL && type != KVM_X86_DEFAULT_VM)
		test_skip("VM type %s (%lu) not supported by this kernel",
			  vm_type_name(type), type);
	TEST_ASSERT(vm, "KVM_CREATE_VM(%s) failed", vm_type_name(type));
	return vm;
}

struct kvm_vm *__vm_create_kind(enum vm_kind k, char *why, size_t len)
{
	struct vm_kind_facts f;

	vm_kind_facts_read(&f);
	if (vm_kind_unavailable(&f, k, why, len)) {
		errno = EOPNOTSUPP;
		return NULL;
	}
	return create_kind(k, why, len);
}

struct kvm_vm *vm_create_kind(enum vm_kind k)
{
	char why[320];
	struct kvm_vm *vm = __vm_create_kind(k, why, sizeof(why));

	if (!vm)
		test_skip("%s", why);
	return vm;
}

struct kvm_vm *vm_create_private(enum vm_kind k)
{
	const struct vm_kind_info *i = vm_kind_info(k);

	if (!i->private_mem)
		test_skip("--vm-type %s has no private memory (use "
			  "sw_protected, snp or tdx)", i->name);
	return vm_create_kind(k);
}

struct kvm_vm *vm_create_private_plain(enum vm_kind k)
{
	const struct vm_kind_info *i = vm_kind_info(k);
	struct vm_kind_facts f;
	char why[320];

	if (!i->private_mem)
		test_skip("--vm-type %s has no private memory (use "
			  "sw_protected)", i->name);
	vm_kind_facts_read(&f);
	if (vm_kind_unavailable(&f, k, why, sizeof(why)))
		test_skip("%s", why);
	if (i->coco != COCO_NONE)
		test_skip("case checks what the host sees of private memory "
			  "and raw KVM_HC_MAP_GPA_RANGE requests (sw_protected "
			  "semantics); on %s, vm_type_test and convert_bench "
			  "run the conversion path", i->name);
	return vm_create_kind(k);
}

void vm_launch(struct kvm_vm *vm)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&lock);
	if (!vm->launched) {
		if (vm->backend && vm->backend->launch)
			vm->backend->launch(vm);
		vm->launched = true;
	}
	pthread_mutex_unlock(&lock);
}

static void region_unmap(struct kvm_region *r)
{
	if (r->map_base)
		munmap(r->map_base, r->map_size);
	if (r->fd >= 0)
		close(r->fd);
	if (r->gmem_owned)
		close(r->gmem_fd);
}

void vm_free(struct kvm_vm *vm)
{
	struct kvm_region *r, *next;
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct kvm_vcpu *v = vm->vcpus[i];

		watchdog_unregister(v);
		munmap(v->run, v->run_size);
		close(v->fd);
		free(v);
	}
	if (vm->stats) {
		stats_close(vm->stats);
		free(vm->stats);
	}
	if (vm->backend && vm->backend->vm_free)
		vm->backend->vm_free(vm);
	if (vm->sev_fd >= 0)
		close(vm->sev_fd);
	close(vm->fd);
	for (r = vm->regions; r; r = next) {
		next = r->next;
		region_unmap(r);
		free(r);
	}
	close(vm->kvm_fd);
	free(vm->cpuid);
	free(vm);
}

int vm_check_cap(struct kvm_vm *vm, long cap)
{
	int r = kvm_ioctl(vm->fd, KVM_CHECK_EXTENSION, (void *)cap);

	return r < 0 ? 0 : r;
}

int __vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0)
{
	struct kvm_enable_cap ec = { .cap = cap, .args = { arg0 } };

	return kvm_ioctl(vm->fd, KVM_ENABLE_CAP, &ec) ? errno : 0;
}

void vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0)
{
	int r = __vm_enable_cap(vm, cap, arg0);

	TEST_ASSERT(!r, "KVM_ENABLE_CAP(%u, 0x%llx): %s", cap,
		    (unsigned long long)arg0, errno_name(r));
}

/* ---- Memory ------------------------------------------------------------- */

int __vm_set_user_memory_region2(struct kvm_vm *vm, uint32_t slot,
				 uint32_t flags, uint64_t gpa, uint64_t size,
				 void *hva, int gmem_fd, uint64_t gmem_offset)
{
	struct kvm_userspace_memory_region2 m = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
		.guest_memfd_offset = gmem_offset,
		.guest_memfd = gmem_fd,
	};

	return kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, &m) ? errno : 0;
}

/* Pre-6.8 kernels: the original ioctl, for memslots without guest_memfd. */
static int set_memslot(struct kvm_vm *vm, struct kvm_region *r)
{
	struct kvm_userspace_memory_region m = {
		.slot = r->slot,
		.flags = r->flags,
		.guest_phys_addr = r->gpa,
		.memory_size = r->size,
		.userspace_addr = (uintptr_t)r->hva,
	};
	static int has_v2 = -1;

	if (has_v2 < 0)
		has_v2 = vm_check_cap(vm, KVM_CAP_USER_MEMORY2) > 0;
	if (has_v2 || r->gmem_fd >= 0)
		return __vm_set_user_memory_region2(vm, r->slot, r->flags,
				r->gpa, r->size, r->hva,
				r->gmem_fd < 0 ? 0 : r->gmem_fd,
				r->gmem_offset);
	return kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &m) ? errno : 0;
}

static void *map_anon(struct kvm_region *r, uint64_t align, int advice)
{
	size_t len = r->size + (align > SZ_4K ? align : 0);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap(%zu) anonymous", len);
	r->map_base = p;
	r->map_size = len;
	p = (void *)ALIGN_UP((uintptr_t)p, align);
	madvise(p, r->size, advice);
	return p;
}

static void hugetlb_skip(uint64_t page, uint64_t size)
{
	char path[128];
	uint64_t free_pages = 0;

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%llukB/free_hugepages",
		 (unsigned long long)(page >> 10));
	read_file_u64(path, &free_pages);
	test_skip("hugetlb %s pool too small: %llu free, %llu needed "
		  "(raise %s/../nr_hugepages)", page == SZ_1G ? "1G" : "2M",
		  (unsigned long long)free_pages,
		  (unsigned long long)(size / page), path);
}

static void *map_memfd(struct kvm_region *r, unsigned int mfd_flags,
		       uint64_t page)
{
	void *p;

	if (!IS_ALIGNED(r->size, page))
		TEST_FAIL("%s region size 0x%llx is not a multiple of 0x%llx",
			  backing_name(r->backing),
			  (unsigned long long)r->size,
			  (unsigned long long)page);
	r->fd = memfd_create("gmemsuite", MFD_CLOEXEC | mfd_flags);
	if (r->fd < 0 && (mfd_flags & MFD_HUGETLB))
		test_skip("memfd_create(MFD_HUGETLB) failed: %s (kernel "
			  "without CONFIG_HUGETLBFS?)", errno_name(errno));
	TEST_ASSERT(r->fd >= 0, "memfd_create");
	TEST_ASSERT(!ftruncate(r->fd, r->size), "ftruncate(memfd, 0x%llx)",
		    (unsigned long long)r->size);
	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED && (mfd_flags & MFD_HUGETLB) && errno == ENOMEM)
		hugetlb_skip(page, r->size);
	TEST_ASSERT(p != MAP_FAILED, "mmap(memfd, 0x%llx)",
		    (unsigned long long)r->size);
	r->map_base = p;
	r->map_size = r->size;
	return p;
}

static void region_map_backing(struct kvm_vm *vm, struct kvm_region *r)
{
	switch (r->backing) {
	case BACKING_ANON:
		r->hva = map_anon(r, SZ_4K, MADV_NOHUGEPAGE);
		break;
	case BACKING_THP:
		r->hva = map_anon(r, SZ_2M, MADV_HUGEPAGE);
		break;
	case BACKING_SHMEM:
		r->hva = map_memfd(r, 0, SZ_4K);
		break;
	case BACKING_HUGETLB_2M:
		r->hva = map_memfd(r, MFD_HUGETLB | MFD_HUGE_2MB, SZ_2M);
		break;
	case BACKING_HUGETLB_1G:
		r->hva = map_memfd(r, MFD_HUGETLB | MFD_HUGE_1GB, SZ_1G);
		break;
	case BACKING_GMEM:
		TEST_ASSERT(r->gmem_fd >= 0, "BACKING_GMEM needs a guest_memfd");
		r->hva = __gmem_mmap(r->gmem_fd, r->size, r->gmem_offset);
		if (r->hva == MAP_FAILED)
			TEST_FAIL("mmap(guest_memfd) failed: %s; was it "
				  "created with GUEST_MEMFD_FLAG_MMAP?",
				  errno_name(errno));
		r->map_base = r->hva;
		r->map_size = r->size;
		break;
	case BACKING_NONE:
		TEST_ASSERT(r->gmem_fd >= 0, "BACKING_NONE needs a guest_memfd");
		r->hva = NULL;
		break;
	default:
		TEST_FAIL("bad backing %d", r->backing);
	}
	(void)vm;
}

struct kvm_region *vm_add_region(struct kvm_vm *vm,
				 const struct region_spec *spec)
{
	struct kvm_region *r = calloc(1, sizeof(*r));
	uint64_t leaf = guest_page_bytes(spec->guest_page);
	const char *why;
	int err;

	TEST_ASSERT(r, "calloc");
	TEST_ASSERT(spec->size && IS_ALIGNED(spec->size, SZ_4K) &&
		    IS_ALIGNED(spec->gpa, SZ_4K),
		    "region gpa 0x%llx size 0x%llx must be 4K-aligned",
		    (unsigned long long)spec->gpa,
		    (unsigned long long)spec->size);
	if (!spec->no_guest_map) {
		if (!vm_supports_guest_page(vm, spec->guest_page, &why))
			test_skip("%s", why);
		TEST_ASSERT(IS_ALIGNED(spec->gpa | spec->size, leaf),
			    "region gpa 0x%llx size 0x%llx not aligned to its "
			    "guest page size 0x%llx",
			    (unsigned long long)spec->gpa,
			    (unsigned long long)spec->size,
			    (unsigned long long)leaf);
	}
	r->slot = vm->next_slot++;
	r->gpa = spec->gpa;
	r->size = spec->size;
	r->backing = spec->backing;
	r->guest_page = spec->guest_page;
	r->fd = -1;
	r->gmem_fd = -1;

	if (spec->gmem == GMEM_CREATE) {
		r->gmem_fd = gmem_create(vm, spec->size, spec->gmem_flags);
		r->gmem_owned = true;
	} else if (spec->gmem == GMEM_BIND) {
		r->gmem_fd = spec->gmem_fd;
		r->gmem_offset = spec->gmem_offset;
	}
	if (r->gmem_fd >= 0)
		r->flags |= KVM_MEM_GUEST_MEMFD;
	region_map_backing(vm, r);

	/* Linked before the ioctl so that vm_free() cleans up on failure. */
	r->next = vm->regions;
	vm->regions = r;
	err = set_memslot(vm, r);
	TEST_ASSERT(!err, "KVM_SET_USER_MEMORY_REGION2(slot %u, gpa 0x%llx, "
		    "size 0x%llx, %s%s): %s", r->slot,
		    (unsigned long long)r->gpa, (unsigned long long)r->size,
		    backing_name(r->backing),
		    r->gmem_fd >= 0 ? " + guest_memfd" : "", errno_name(err));

	if (!spec->no_guest_map)
		virt_map_enc(vm, r->gpa, r->gpa, r->size, r->guest_page,
			     x86_leaf_enc(vm, spec->private));
	if (spec->private) {
		TEST_ASSERT(r->gmem_fd >= 0, "a private region needs a "
			    "guest_memfd");
		/* Whichever interface the kernel offers (in-place: gmem). */
		if (vm_private_on_gmem(vm, r->gmem_fd))
			gmem_set_private(r->gmem_fd, r->gmem_offset, r->size);
		else
			vm_set_private(vm, r->gpa, r->size);
	}
	return r;
}

void region_discard(struct kvm_region *r, uint64_t off, uint64_t len)
{
	const int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	int err = 0;

	if (r->gmem_fd >= 0)
		err = fallocate(r->gmem_fd, punch, r->gmem_offset + off, len) ?
		      errno : 0;
	TEST_ASSERT(!err, "punching guest_memfd: %s", errno_name(err));
	if (r->backing == BACKING_GMEM || !r->hva)
		return;
	if (r->fd >= 0)
		err = fallocate(r->fd, punch, off, len) ? errno : 0;
	else
		err = madvise((char *)r->hva + off, len, MADV_DONTNEED) ?
		      errno : 0;
	TEST_ASSERT(!err, "discarding the %s backing: %s",
		    backing_name(r->backing), errno_name(err));
}

struct kvm_region *vm_find_region(struct kvm_vm *vm, uint64_t gpa)
{
	struct kvm_region *r;

	for (r = vm->regions; r; r = r->next)
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	return NULL;
}

void *addr_gpa2hva(struct kvm_vm *vm, uint64_t gpa)
{
	struct kvm_region *r = vm_find_region(vm, gpa);

	if (!r || !r->hva)
		return NULL;
	return (char *)r->hva + (gpa - r->gpa);
}

/* ---- vCPUs -------------------------------------------------------------- */

struct kvm_vcpu *vm_vcpu_add(struct kvm_vm *vm, void *guest_code)
{
	struct kvm_vcpu *vcpu = calloc(1, sizeof(*vcpu));
	int size;

	TEST_ASSERT(vcpu, "calloc");
	TEST_ASSERT(vm->nr_vcpus < VM_MAX_VCPUS, "at most %d vCPUs",
		    VM_MAX_VCPUS);
	vcpu->vm = vm;
	vcpu->id = vm->nr_vcpus;
	vcpu->fd = kvm_ioctl(vm->fd, KVM_CREATE_VCPU,
			     (void *)(uintptr_t)vcpu->id);
	TEST_ASSERT(vcpu->fd >= 0, "KVM_CREATE_VCPU(%u)", vcpu->id);
	size = kvm_ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	TEST_ASSERT(size >= (int)sizeof(struct kvm_run),
		    "KVM_GET_VCPU_MMAP_SIZE = %d", size);
	vcpu->run_size = size;
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap(kvm_run)");
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	x86_vcpu_setup(vcpu, guest_code);
	watchdog_register(vcpu);
	return vcpu;
}

/* Protected state: KVM refuses register access once launched. */
static bool regs_protected(struct kvm_vcpu *vcpu)
{
	return vcpu->vm->launched &&
	       vm_kind_info(vcpu->vm->kind)->protected_state;
}

void vcpu_get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	if (x86_boot_regs_access(vcpu, regs, false))
		return;
	TEST_ASSERT(!regs_protected(vcpu), "vCPU %u of a %s VM: registers "
		    "are protected once launched", vcpu->id,
		    vm_kind_info(vcpu->vm->kind)->name);
	TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_GET_REGS, regs), "KVM_GET_REGS");
}

void vcpu_set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	if (x86_boot_regs_access(vcpu, regs, true))
		return;
	TEST_ASSERT(!regs_protected(vcpu), "vCPU %u of a %s VM: registers "
		    "are protected once launched", vcpu->id,
		    vm_kind_info(vcpu->vm->kind)->name);
	TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_SET_REGS, regs), "KVM_SET_REGS");
}

void vcpu_args_set(struct kvm_vcpu *vcpu, unsigned int n, ...)
{
	struct kvm_regs regs;
	va_list ap;
	__u64 *slot[] = { &regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx,
			     &regs.r8, &regs.r9 };
	unsigned int i;

	TEST_ASSERT(n <= ARRAY_SIZE(slot), "at most 6 guest arguments");
	vcpu_get_regs(vcpu, &regs);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		*slot[i] = va_arg(ap, uint64_t);
	va_end(ap);
	vcpu_set_regs(vcpu, &regs);
}

int __vcpu_run(struct kvm_vcpu *vcpu)
{
	int r, err;

	if (!vcpu->vm->launched)
		vm_launch(vcpu->vm);
	vcpu->thread = pthread_self();
	vcpu->timed_out = 0;
	vcpu->run_start_ns = now_ns();
	__atomic_store_n(&vcpu->in_run, 1, __ATOMIC_RELEASE);
	do {
		r = kvm_ioctl(vcpu->fd, KVM_RUN, NULL);
		err = r ? errno : 0;
		/*
		 * EINTR without a timeout: a watchdog signal aimed at the
		 * previous run arrived late.  KVM_EXIT_INTR leaves the vCPU
		 * consistent; run again, as VMMs do.
		 */
	} while (err == EINTR && !vcpu->timed_out);
	__atomic_store_n(&vcpu->in_run, 0, __ATOMIC_RELEASE);
	return vcpu->timed_out && err == EINTR ? ETIMEDOUT : err;
}

void vcpu_fail_run(struct kvm_vcpu *vcpu, int err)
{
	struct kvm_regs regs;

	if (err == ETIMEDOUT && regs_protected(vcpu))
		TEST_FAIL("vCPU %u: KVM_RUN did not return within %u ms "
			  "of its last progress (watchdog); registers "
			  "protected", vcpu->id, vcpu->vm->run_timeout_ms);
	if (err == ETIMEDOUT) {
		vcpu_get_regs(vcpu, &regs);
		TEST_FAIL("vCPU %u: KVM_RUN did not return within %u ms "
			  "of its last progress (watchdog); guest RIP 0x%llx "
			  "RSP 0x%llx",
			  vcpu->id, vcpu->vm->run_timeout_ms, regs.rip,
			  regs.rsp);
	}
	TEST_FAIL("vCPU %u: KVM_RUN failed: %s (exit reason %s)", vcpu->id,
		  errno_name(err), exit_reason_name(vcpu->run->exit_reason));
}

void vcpu_run(struct kvm_vcpu *vcpu)
{
	int err = __vcpu_run(vcpu);

	if (err)
		vcpu_fail_run(vcpu, err);
}

uint64_t vcpu_get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	uint32_t gpa;
	void *hva;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
	    run->io.count != 1)
		return UCALL_NONE;
	memcpy(&gpa, (char *)run + run->io.data_offset, sizeof(gpa));
	hva = addr_gpa2hva(vcpu->vm, gpa);
	TEST_ASSERT(hva, "ucall from vCPU %u points at unmapped GPA 0x%x",
		    vcpu->id, gpa);
	memcpy(uc, hva, sizeof(*uc));
	return uc->cmd;
}

static const char *vector_name(uint64_t v)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF",
		"CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "?", "#MF", "#AC",
		"#MC", "#XM", "#VE", "#CP", "?", "?", "?", "?", "?", "?",
		"#HV", "#VC", "#SX", "?",
	};

	return v < 32 ? names[v] : "IRQ";
}

static void exe_path(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
}

void ucall_report(struct kvm_vcpu *vcpu, const struct ucall *uc)
{
	char msg[1024], exe[512];

	switch (uc->cmd) {
	case UCALL_ABORT:
		/* fmt and the strings it names live in this binary too. */
		snprintf(msg, sizeof(msg), uc->fmt, uc->args[0], uc->args[1],
			 uc->args[2], uc->args[3], uc->args[4], uc->args[5]);
		test_diag("%s:%llu: guest assertion failed on vCPU %u: %s",
			  uc->file, (unsigned long long)uc->line, vcpu->id,
			  uc->expr);
		if (msg[0])
			test_diag("  %s", msg);
		break;
	case UCALL_EXCEPTION:
		test_diag("vCPU %u: unhandled guest exception vector %llu (%s)"
			  " error code 0x%llx at RIP 0x%llx, CR2 0x%llx",
			  vcpu->id, (unsigned long long)uc->args[0],
			  vector_name(uc->args[0]),
			  (unsigned long long)uc->args[1],
			  (unsigned long long)uc->args[2],
			  (unsigned long long)uc->args[3]);
		exe_path(exe, sizeof(exe));
		test_diag("  (addr2line -f -e %s 0x%llx names it)", exe,
			  (unsigned long long)uc->args[2]);
		break;
	default:
		test_diag("vCPU %u: ucall %llu", vcpu->id,
			  (unsigned long long)uc->cmd);
	}
}

uint64_t vcpu_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	uint64_t cmd;

	vcpu_run(vcpu);
	cmd = vcpu_get_ucall(vcpu, uc);
	switch (cmd) {
	case UCALL_SYNC:
	case UCALL_DONE:
		return cmd;
	case UCALL_NONE:
		VCPU_UNEXPECTED_EXIT(vcpu);
	default:
		ucall_report(vcpu, uc);
		TEST_FAIL("guest on vCPU %u stopped (%s)", vcpu->id,
			  cmd == UCALL_ABORT ? "assertion" : "exception");
	}
}

const char *exit_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN (triple fault)",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
		[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
		[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
		[KVM_EXIT_DIRTY_RING_FULL] = "DIRTY_RING_FULL",
		[KVM_EXIT_AP_RESET_HOLD] = "AP_RESET_HOLD",
		[KVM_EXIT_X86_BUS_LOCK] = "X86_BUS_LOCK",
		[KVM_EXIT_MEMORY_FAULT] = "MEMORY_FAULT",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "(unnamed)";
}

/*
 * KVM_EXIT_SYSTEM_EVENT, decoded (Linux 7.3 uapi kvm.h; svm/sev.c puts
 * the GHCB MSR value of a termination request in data[0], tdx.c the 16
 * GPRs of TDG.VP.VMCALL<ReportFatalError> in data[], R12 the error code
 * and R13 the GPA of the guest's message).
 */
const char *system_event_describe(uint32_t type, uint32_t ndata,
				  const uint64_t *data, char *buf, size_t len)
{
	static const char *const names[] = {
		[1] = "SHUTDOWN", [2] = "RESET", [3] = "CRASH",
		[4] = "WAKEUP", [5] = "SUSPEND", [6] = "SEV_TERM",
		[7] = "TDX_FATAL",
	};
	const char *name = type < ARRAY_SIZE(names) && names[type] ?
			   names[type] : "unknown type";

	if (type == 6 && ndata >= 1 && (data[0] & 0xfff) == 0x100)
		snprintf(buf, len, "%s (%u): the guest asked to terminate "
			 "(GHCB MSR 0x%llx: reason set %llu, reason code "
			 "0x%llx)", name, type, (unsigned long long)data[0],
			 (unsigned long long)(data[0] >> 12 & 0xf),
			 (unsigned long long)(data[0] >> 16 & 0xff));
	else if (type == 6 && ndata >= 1)
		snprintf(buf, len, "%s (%u): the guest asked to terminate "
			 "through its GHCB page at 0x%llx", name, type,
			 (unsigned long long)data[0]);
	else if (type == 7 && ndata >= 14)
		snprintf(buf, len, "%s (%u): TDG.VP.VMCALL<ReportFatalError> "
			 "error code (R12) 0x%llx, data GPA (R13) 0x%llx",
			 name, type, (unsigned long long)data[12],
			 (unsigned long long)data[13]);
	else
		snprintf(buf, len, "%s (%u), %u data words%s0x%llx", name,
			 type, ndata, ndata ? ", data[0] " : "",
			 ndata ? (unsigned long long)data[0] : 0ULL);
	return buf;
}

void vcpu_unexpected_exit(struct kvm_vcpu *vcpu, const char *file, int line)
{
	struct kvm_run *run = vcpu->run;
	struct gmem_memory_fault_exit *mf = run_memory_fault(run);
	struct kvm_regs regs = { 0 };

	if (!regs_protected(vcpu))
		vcpu_get_regs(vcpu, &regs);
	test_diag("%s:%d: vCPU %u: unexpected exit %u (%s) at RIP 0x%llx",
		  file, line, vcpu->id, run->exit_reason,
		  exit_reason_name(run->exit_reason), regs.rip);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		test_diag("  port 0x%x %s size %u count %u", run->io.port,
			  run->io.direction ? "out" : "in", run->io.size,
			  run->io.count);
		break;
	case KVM_EXIT_MMIO:
		test_diag("  gpa 0x%llx len %u %s", run->mmio.phys_addr,
			  run->mmio.len, run->mmio.is_write ? "write" : "read");
		break;
	case KVM_EXIT_MEMORY_FAULT:
		test_diag("  gpa 0x%llx size 0x%llx flags 0x%llx",
			  mf->gpa, mf->size, mf->flags);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		test_diag("  hardware entry failure reason 0x%llx",
			  run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		test_diag("  suberror %u, %u data words, data[0] 0x%llx",
			  run->internal.suberror, run->internal.ndata,
			  run->internal.ndata ? run->internal.data[0] : 0ULL);
		break;
	case KVM_EXIT_HYPERCALL:
		test_diag("  nr %llu args 0x%llx 0x%llx 0x%llx",
			  run->hypercall.nr, run->hypercall.args[0],
			  run->hypercall.args[1], run->hypercall.args[2]);
		break;
	case KVM_EXIT_SYSTEM_EVENT: {
		char buf[200];

		test_diag("  %s", system_event_describe(run->system_event.type,
			  run->system_event.ndata,
			  (const uint64_t *)run->system_event.data, buf,
			  sizeof(buf)));
		break;
	}
	}
	TEST_FAIL("vCPU %u stopped with an unexpected exit", vcpu->id);
}

static void *vcpu_thread_main(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	return vcpu->thread_fn(vcpu);
}

void vcpu_thread_start(struct kvm_vcpu *vcpu, void *(*fn)(struct kvm_vcpu *))
{
	vcpu->thread_fn = fn;
	TEST_ASSERT(!pthread_create(&vcpu->thread, NULL, vcpu_thread_main,
				    vcpu), "pthread_create for vCPU %u",
		    vcpu->id);
}

void *vcpu_thread_join(struct kvm_vcpu *vcpu)
{
	void *ret;

	TEST_ASSERT(!pthread_join(vcpu->thread, &ret), "pthread_join");
	return ret;
}

uint64_t vcpu_tsc_khz(struct kvm_vcpu *vcpu)
{
	int r = kvm_ioctl(vcpu->fd, KVM_GET_TSC_KHZ, NULL);

	return r > 0 ? (uint64_t)r : 0;
}
