// Fast CPU matmul: a custom MLX primitive that calls a real BLAS (Intel MKL; see gemm.cpp for the choice).
// MLX's own CPU matmul calls the reference BLAS bundled in its wheel (~5 GFLOP/s); this runs at MKL speed.
#pragma once
#include <mlx/array.h>

namespace fl::kernels {

/// a @ b with mx::matmul's shape rules (both >= 2-D, batch dims broadcast). float32/float64 on the CPU go to
/// BLAS; integer dtypes to a plain loop (MLX has no integer matmul); other dtypes and the GPU to mx::matmul.
mlx::core::array matmul(const mlx::core::array& a, const mlx::core::array& b);

/// Whether float matmul runs on a BLAS library (false in builds that found none: then it is mx::matmul).
bool has_blas();
/// "mkl", "openblas"/"blas" or "none".
const char* blas_name();
/// Threads BLAS uses for one product (torch.get_num_threads / set_num_threads).
int get_num_threads();
void set_num_threads(int n);

}  // namespace fl::kernels
