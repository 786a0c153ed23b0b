// SPDX-License-Identifier: GPL-2.0-only
/*
 * The heap: first fit over a singly linked free list kept in address order,
 * so that free() finds both neighbours of a block in one walk and merges
 * them.  Guests allocate little; simplicity beats speed here.
 *
 * Every block, free or allocated, starts on a MALLOC_ALIGN boundary and is a
 * multiple of MALLOC_ALIGN long.  An allocated block begins with a header of
 * MALLOC_ALIGN bytes (its length and a magic number that catches bad and
 * double frees); the caller's memory follows it.  For memalign() the header
 * is placed so that the memory after it is aligned, and the space skipped
 * before it stays a free block of its own.
 */
#include "libcflat.h"

#define ALLOC_MAGIC	0x6b757461UL	/* "kuta" */

struct free_block {
	size_t size;			/* of the whole block */
	struct free_block *next;	/* next higher address */
};

struct alloc_header {
	size_t size;			/* of the whole block */
	unsigned long magic;
};

#define HDR_SIZE	ALIGN_UP(sizeof(struct alloc_header), MALLOC_ALIGN)
#define MIN_BLOCK	ALIGN_UP(sizeof(struct free_block), MALLOC_ALIGN)

BUILD_BUG_ON(HDR_SIZE != MALLOC_ALIGN);
BUILD_BUG_ON(MIN_BLOCK != MALLOC_ALIGN);

static struct spinlock heap_lock;
static struct free_block *free_list;
static uintptr_t heap_start, heap_end;

void heap_init(void *start, size_t size)
{
	uintptr_t s = ALIGN_UP((uintptr_t)start, MALLOC_ALIGN);
	uintptr_t e = ALIGN_DOWN((uintptr_t)start + size, MALLOC_ALIGN);

	spin_lock(&heap_lock);
	free_list = NULL;
	heap_start = heap_end = 0;
	if (size && (uintptr_t)start + size > (uintptr_t)start &&
	    e > s && e - s >= MIN_BLOCK + MALLOC_ALIGN) {
		free_list = (struct free_block *)s;
		free_list->size = e - s;
		free_list->next = NULL;
		heap_start = s;
		heap_end = e;
	}
	spin_unlock(&heap_lock);
}

/*
 * Carves [@start, @end) out of free block @b, whose predecessor's link is
 * @link, leaving what is before and after it on the list.
 */
static void take_range(struct free_block **link, struct free_block *b,
		       uintptr_t start, uintptr_t end)
{
	uintptr_t b_end = (uintptr_t)b + b->size;
	struct free_block *next = b->next;

	if (end < b_end) {
		struct free_block *tail = (struct free_block *)end;

		tail->size = b_end - end;
		tail->next = next;
		next = tail;
	}
	if (start > (uintptr_t)b) {
		b->size = start - (uintptr_t)b;
		b->next = next;
	} else {
		*link = next;
	}
}

void *memalign(size_t align, size_t size)
{
	struct free_block **link, *b;
	void *ret = NULL;

	if (!align || (align & (align - 1)))
		return NULL;
	if (align < MALLOC_ALIGN)
		align = MALLOC_ALIGN;
	/* Rules out overflow in the sums below. */
	if (size > heap_end - heap_start || align > heap_end - heap_start)
		return NULL;
	size = ALIGN_UP(size ? size : 1, MALLOC_ALIGN);

	spin_lock(&heap_lock);
	for (link = &free_list; (b = *link); link = &b->next) {
		uintptr_t start = (uintptr_t)b;
		uintptr_t b_end = start + b->size;
		uintptr_t user = ALIGN_UP(start + HDR_SIZE, align);
		uintptr_t end;
		struct alloc_header *hdr;

		/*
		 * The gap before the header is a free block; it must be big
		 * enough for a free_block, which MIN_BLOCK == MALLOC_ALIGN
		 * <= align guarantees after one more step.
		 */
		if (user - HDR_SIZE > start && user - HDR_SIZE - start < MIN_BLOCK)
			user += align;
		if (user >= b_end || b_end - user < size)
			continue;
		end = user + size;
		/* A tail too small to be a free block stays in this one. */
		if (b_end - end < MIN_BLOCK)
			end = b_end;

		take_range(link, b, user - HDR_SIZE, end);
		hdr = (struct alloc_header *)(user - HDR_SIZE);
		hdr->size = end - (user - HDR_SIZE);
		hdr->magic = ALLOC_MAGIC;
		ret = (void *)user;
		break;
	}
	spin_unlock(&heap_lock);
	return ret;
}

void *malloc(size_t size)
{
	return memalign(MALLOC_ALIGN, size);
}

void *calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	p = malloc(nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

static struct alloc_header *header_of(void *ptr)
{
	struct alloc_header *hdr = (void *)((uintptr_t)ptr - HDR_SIZE);

	assert_msg((uintptr_t)ptr >= heap_start + HDR_SIZE &&
		   (uintptr_t)ptr < heap_end &&
		   IS_ALIGNED((uintptr_t)ptr, MALLOC_ALIGN),
		   "free/realloc of %p, not from the heap [%p, %p)", ptr,
		   (void *)heap_start, (void *)heap_end);
	assert_msg(hdr->magic == ALLOC_MAGIC,
		   "free/realloc of %p: bad magic %#lx (double free?)", ptr,
		   hdr->magic);
	return hdr;
}

void free(void *ptr)
{
	struct free_block **link, *b, *prev = NULL;
	struct alloc_header *hdr;
	uintptr_t start;
	size_t size;

	if (!ptr)
		return;
	hdr = header_of(ptr);

	spin_lock(&heap_lock);
	start = (uintptr_t)hdr;
	size = hdr->size;
	hdr->magic = 0;

	for (link = &free_list; *link && (uintptr_t)*link < start;
	     link = &(*link)->next)
		prev = *link;

	b = (struct free_block *)start;
	b->size = size;
	b->next = *link;
	*link = b;

	if (b->next && start + b->size == (uintptr_t)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (uintptr_t)prev + prev->size == start) {
		prev->size += b->size;
		prev->next = b->next;
	}
	spin_unlock(&heap_lock);
}

void *realloc(void *ptr, size_t size)
{
	size_t usable;
	void *p;

	if (!ptr)
		return malloc(size);
	if (!size) {
		free(ptr);
		return NULL;
	}
	usable = header_of(ptr)->size - HDR_SIZE;
	if (size <= usable)
		return ptr;
	p = malloc(size);
	if (p) {
		memcpy(p, ptr, usable);
		free(ptr);
	}
	return p;
}

size_t heap_free_bytes(void)
{
	struct free_block *b;
	size_t n = 0;

	spin_lock(&heap_lock);
	for (b = free_list; b; b = b->next)
		n += b->size;
	spin_unlock(&heap_lock);
	return n;
}
