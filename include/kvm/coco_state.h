/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-state model of confidential memory: per 4K page, the host's
 * attribute (PRIVATE or not), the guest's page-table bit (C-bit set /
 * shared bit clear = private) and whether the guest has validated (SNP
 * PVALIDATE) or accepted (TDX TDG.MEM.PAGE.ACCEPT) it.  Each step a
 * benchmark takes is applied to it, and a step the hardware would fault
 * or refuse is reported instead of run:
 *  - a guest access whose page-table bit disagrees with the host's
 *    attribute (KVM turns it into a memory fault; after the implicit
 *    conversion the page is not validated: SNP #VC, TDX #VE);
 *  - a private access to a page not validated / accepted (#VC, #VE);
 *  - validating / accepting a page twice (SNP PVALIDATE rc 6 NOUPDATE,
 *    TDX_PAGE_ALREADY_ACCEPTED), rescinding a page never validated (SNP);
 *  - a guest conversion of a page the guest's view and the host's do not
 *    agree on.
 * The plans of convert_bench and fault_bench run through it on the real
 * hardware path and, on any host, in tests/coco_unit_test.c.
 */
#ifndef GMEM_COCO_STATE_H
#define GMEM_COCO_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "coco.h"

#define CS_HOST_PRIVATE	0x1
#define CS_PTE_PRIVATE	0x2
#define CS_ACCEPTED	0x4

struct coco_pages {
	enum coco_kind kind;
	uint64_t base, npages;
	uint8_t *st;
	char error[256];	/* the first step the hardware refuses */
};

/* [base, +size), every page private (launched image) or shared. */
void coco_pages_init(struct coco_pages *m, enum coco_kind kind,
		     uint64_t base, uint64_t size, bool private);
void coco_pages_free(struct coco_pages *m);

/* The guest converts (request, validate/accept, page-table bit). */
bool coco_guest_convert(struct coco_pages *m, uint64_t gpa, uint64_t size,
			bool to_private);
/* The host flips the attribute behind the guest's back. */
void coco_host_convert(struct coco_pages *m, uint64_t gpa, uint64_t size,
		       bool to_private);
/* The host discards the pages' memory (punch / MADV_DONTNEED). */
void coco_discard(struct coco_pages *m, uint64_t gpa, uint64_t size);
/* The guest reads or writes every page. */
bool coco_guest_touch(struct coco_pages *m, uint64_t gpa, uint64_t size);
/* The guest validates / accepts every page (fault_bench's first touch). */
bool coco_guest_accept(struct coco_pages *m, uint64_t gpa, uint64_t size);

/*
 * One convert_bench row on a confidential VM, guest-driven only: bring
 * [gpa, +size) to the source state (the guest converts what is not there
 * yet; populated: the guest touches it; untouched shared: the host
 * discards it), then the timed step: the guest converts the range and
 * touches it.  ops run the steps for real (NULL members: model only).
 * False with m->error set when a step would fault; "untouched private"
 * rows do not exist (a private page is populated by its acceptance):
 * coco_row_exists() says so first.
 */
struct coco_row_ops {
	void (*guest_convert)(void *ctx, uint64_t gpa, uint64_t size,
			      bool to_private);
	void (*guest_touch)(void *ctx, uint64_t gpa, uint64_t size);
	void (*discard)(void *ctx, uint64_t gpa, uint64_t size);
	/* The timed conversion and re-touch of the whole range. */
	void (*timed_convert)(void *ctx, uint64_t gpa, uint64_t size,
			      bool to_private);
};
const char *coco_row_exists(bool to_private, bool populated);
bool coco_row_run(struct coco_pages *m, const struct coco_row_ops *ops,
		  void *ctx, uint64_t gpa, uint64_t size, bool to_private,
		  bool populated);

/*
 * fault_bench on a confidential VM: whether a pass validates / accepts
 * each private page before its access: only on the pass that first
 * touches memory discard left (region_fresh), never on the floors.
 */
bool fault_pass_accepts(bool gmem_private, enum coco_kind kind, bool fresh,
			bool touches);

#endif /* GMEM_COCO_STATE_H */
