/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The heap: one region handed over by the arch setup code, first-fit over an
 * address-ordered free list that merges neighbours on free.  Safe to call
 * from any CPU.  Needs no paging.
 */
#ifndef ALLOC_H
#define ALLOC_H

#include <stddef.h>

/* Every pointer malloc() returns is aligned to this. */
#define MALLOC_ALIGN	16

/*
 * Give the heap [@start, @start + @size).  Called once by the arch setup
 * before main(); calling it again forgets every earlier block.
 */
void heap_init(void *start, size_t size);

void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);

/*
 * @align is any power of two (page size and larger included); anything
 * else returns NULL.  The result is released with free().
 */
void *memalign(size_t align, size_t size);

/* Bytes in free blocks, headers of free blocks included. */
size_t heap_free_bytes(void);

#endif /* ALLOC_H */
