// simd_kernels.inc compiled for baseline x86-64 (SSE2, 128-bit vectors): any CPU the library runs on.
#include <immintrin.h>

#include "kernels/optim_update_simd.h"
#include "kernels/simd.h"

#define FL_ISA base
#define FL_ISA_NAME "base"
#define FL_ISA_BYTES 16
#include "kernels/simd_kernels.inc"
#include "kernels/optim_update_kernels.inc"

const fl::kernels::simd::Isa& fl::kernels::simd::isa_base() { return base::table; }
const fl::kernels::simd::OptimIsa& fl::kernels::simd::optim_isa_base() { return base::optim_table; }
