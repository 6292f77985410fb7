#ifndef TURNOUT_ALLOC_COUNTER_H
#define TURNOUT_ALLOC_COUNTER_H

#include <stdint.h>

/// Heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
/// the calling thread since it started. Only meaningful in a program that links this target:
/// its definitions of those functions take the place of the C library's.
uint64_t turnout_thread_allocations(void);

#endif
