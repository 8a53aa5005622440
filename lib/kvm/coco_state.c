// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-state model (include/kvm/coco_state.h).  Sources for the rules:
 * AMD APM vol. 3 PVALIDATE (rc 6 FAIL_NOUPDATE when the validated bit
 * already has the requested value), the GHCB spec (page state change),
 * the TDX module ABI (TDG.MEM.PAGE.ACCEPT: TDX_PAGE_ALREADY_ACCEPTED),
 * Linux 7.3 arch/x86/coco (the orders of conversion) and KVM's memory
 * fault exit for an access whose kind disagrees with the attribute.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coco_state.h"
#include "test_util.h"

static const char *kind_name(const struct coco_pages *m)
{
	return m->kind == COCO_SNP ? "SNP" : "TDX";
}

static bool __printf(3, 4) fail(struct coco_pages *m, uint64_t gpa,
				const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!m->error[0])
		snprintf(m->error, sizeof(m->error), "%s, gpa 0x%llx: %s",
			 kind_name(m), (unsigned long long)gpa, what);
	return false;
}

void coco_pages_init(struct coco_pages *m, enum coco_kind kind,
		     uint64_t base, uint64_t size, bool private)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->base = base;
	m->npages = size / SZ_4K;
	m->st = calloc(m->npages, 1);
	TEST_ASSERT(m->st, "calloc");
	if (private)
		memset(m->st, CS_HOST_PRIVATE | CS_PTE_PRIVATE, m->npages);
}

void coco_pages_free(struct coco_pages *m)
{
	free(m->st);
	m->st = NULL;
}

/* The state byte of gpa; the range must lie in the model. */
static uint8_t *page(struct coco_pages *m, uint64_t gpa)
{
	TEST_ASSERT(gpa >= m->base && (gpa - m->base) / SZ_4K < m->npages,
		    "gpa 0x%llx outside the modelled region",
		    (unsigned long long)gpa);
	return &m->st[(gpa - m->base) / SZ_4K];
}

static bool agrees(uint8_t s, bool private)
{
	return !!(s & CS_HOST_PRIVATE) == private &&
	       !!(s & CS_PTE_PRIVATE) == private;
}

static bool convert_page(struct coco_pages *m, uint64_t a, bool to_private)
{
	uint8_t *s = page(m, a);

	if (!agrees(*s, !to_private)) {
		/* TDX: to shared is a PTE write and MapGPA: both idempotent. */
		if (m->kind == COCO_TDX && !to_private && agrees(*s, false))
			return true;
		return fail(m, a, "guest conversion to %s of a page that is "
			    "not %s in both views (host %s, page table %s)",
			    to_private ? "private" : "shared",
			    to_private ? "shared" : "private",
			    *s & CS_HOST_PRIVATE ? "private" : "shared",
			    *s & CS_PTE_PRIVATE ? "private" : "shared");
	}
	if (to_private && *s & CS_ACCEPTED)
		return fail(m, a, "%s of a page already %s", m->kind ==
			    COCO_SNP ? "PVALIDATE" : "TDG.MEM.PAGE.ACCEPT",
			    m->kind == COCO_SNP ? "validated (rc 6)" :
			    "accepted");
	if (!to_private && m->kind == COCO_SNP && !(*s & CS_ACCEPTED))
		return fail(m, a, "PVALIDATE rescind of a page never "
			    "validated (rc 6)");
	*s = to_private ? CS_HOST_PRIVATE | CS_PTE_PRIVATE | CS_ACCEPTED : 0;
	return true;
}

bool coco_guest_convert(struct coco_pages *m, uint64_t gpa, uint64_t size,
			bool to_private)
{
	uint64_t a;

	for (a = gpa; a < gpa + size; a += SZ_4K)
		if (!convert_page(m, a, to_private))
			return false;
	return true;
}

void coco_host_convert(struct coco_pages *m, uint64_t gpa, uint64_t size,
		       bool to_private)
{
	uint64_t a;

	/* The RMP / S-EPT entry changes: validation / acceptance is lost. */
	for (a = gpa; a < gpa + size; a += SZ_4K) {
		uint8_t *s = page(m, a);

		*s &= ~(CS_HOST_PRIVATE | CS_ACCEPTED);
		if (to_private)
			*s |= CS_HOST_PRIVATE;
	}
}

void coco_discard(struct coco_pages *m, uint64_t gpa, uint64_t size)
{
	uint64_t a;

	/* A private page discarded comes back unvalidated / pending. */
	for (a = gpa; a < gpa + size; a += SZ_4K)
		*page(m, a) &= ~CS_ACCEPTED;
}

bool coco_guest_touch(struct coco_pages *m, uint64_t gpa, uint64_t size)
{
	uint64_t a;

	for (a = gpa; a < gpa + size; a += SZ_4K) {
		uint8_t s = *page(m, a);
		bool pte = s & CS_PTE_PRIVATE;

		if (pte != !!(s & CS_HOST_PRIVATE))
			return fail(m, a, "%s access to a page the host holds "
				    "%s: a memory fault, and after KVM's "
				    "implicit conversion %s",
				    pte ? "private" : "shared",
				    pte ? "shared" : "private", m->kind ==
				    COCO_SNP ? "#VC (not validated)" :
				    "#VE (pending)");
		if (pte && !(s & CS_ACCEPTED))
			return fail(m, a, "private access to a page not %s",
				    m->kind == COCO_SNP ? "validated: #VC" :
				    "accepted: #VE");
	}
	return true;
}

bool coco_guest_accept(struct coco_pages *m, uint64_t gpa, uint64_t size)
{
	uint64_t a;

	for (a = gpa; a < gpa + size; a += SZ_4K) {
		uint8_t *s = page(m, a);

		if (!agrees(*s, true))
			return fail(m, a, "accepting a page that is not "
				    "private in both views");
		if (*s & CS_ACCEPTED)
			return fail(m, a, "%s of a page already %s", m->kind ==
				    COCO_SNP ? "PVALIDATE" :
				    "TDG.MEM.PAGE.ACCEPT", m->kind ==
				    COCO_SNP ? "validated (rc 6)" :
				    "accepted");
		*s |= CS_ACCEPTED;
	}
	return true;
}

const char *coco_row_exists(bool to_private, bool populated)
{
	if (!to_private && !populated)
		return "no untouched private memory on snp/tdx: a private "
		       "page is populated by its validation / acceptance";
	return NULL;
}

/* Convert the runs of [gpa, +size) not yet in state want, by the guest. */
static bool converge(struct coco_pages *m, const struct coco_row_ops *ops,
		     void *ctx, uint64_t gpa, uint64_t size, bool want)
{
	uint64_t a = gpa, end = gpa + size, run;

	while (a < end) {
		if (agrees(*page(m, a), want)) {
			a += SZ_4K;
			continue;
		}
		for (run = a; run < end && !agrees(*page(m, run), want);
		     run += SZ_4K)
			;
		if (!coco_guest_convert(m, a, run - a, want))
			return false;
		if (ops && ops->guest_convert)
			ops->guest_convert(ctx, a, run - a, want);
		a = run;
	}
	return true;
}

bool coco_row_run(struct coco_pages *m, const struct coco_row_ops *ops,
		  void *ctx, uint64_t gpa, uint64_t size, bool to_private,
		  bool populated)
{
	const char *why = coco_row_exists(to_private, populated);

	if (why)
		return fail(m, gpa, "%s", why);
	if (!converge(m, ops, ctx, gpa, size, !to_private))
		return false;
	if (populated) {
		if (!coco_guest_touch(m, gpa, size))
			return false;
		if (ops && ops->guest_touch)
			ops->guest_touch(ctx, gpa, size);
	} else {
		/* Shared source, never touched: its memory discarded. */
		coco_discard(m, gpa, size);
		if (ops && ops->discard)
			ops->discard(ctx, gpa, size);
	}
	if (!coco_guest_convert(m, gpa, size, to_private) ||
	    !coco_guest_touch(m, gpa, size))
		return false;
	if (ops && ops->timed_convert)
		ops->timed_convert(ctx, gpa, size, to_private);
	return true;
}

bool fault_pass_accepts(bool gmem_private, enum coco_kind kind, bool fresh,
			bool touches)
{
	return gmem_private && kind != COCO_NONE && fresh && touches;
}
