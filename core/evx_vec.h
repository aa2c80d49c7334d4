/* evx_vec.h: what every core file written with GCC vector extensions needs
 * first: the x86 intrinsics where they exist, and silence for -Wpsabi (only
 * static functions pass vectors around, so the ABI note does not apply).
 * Include it before declaring vector types. */
#ifndef EVX_VEC_H
#define EVX_VEC_H

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#endif
