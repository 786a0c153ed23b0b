/*
 * Fixed-width short names the x86 runtime uses. libcflat.h does not
 * define them (yet); C11 allows a typedef to be repeated with the same
 * type, so this stays correct if it starts to.
 */
#ifndef X86_TYPES_H
#define X86_TYPES_H

#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#endif
