// simd_kernels.inc compiled for AVX2 with FMA (256-bit vectors).
// Headers come before the target switch, so only this file's own (internal) functions get the ISA.
#include <immintrin.h>

#include "kernels/optim_update_simd.h"
#include "kernels/simd.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma,bmi2")
#define FL_ISA avx2
#define FL_ISA_NAME "avx2"
#define FL_ISA_BYTES 32
#include "kernels/simd_kernels.inc"
#include "kernels/optim_update_kernels.inc"
#pragma GCC pop_options

const fl::kernels::simd::Isa& fl::kernels::simd::isa_avx2() { return avx2::table; }
const fl::kernels::simd::OptimIsa& fl::kernels::simd::optim_isa_avx2() { return avx2::optim_table; }
