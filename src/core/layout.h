// PyTorch's stride rules for new (non-view) results. Values stay row-major in MLX; only the stride metadata
// (stride(), is_contiguous(), and what views of the result report) follows PyTorch:
//  * clone(), to(), *_like (preserve_format): a non-overlapping, dense input's strides exactly; otherwise dense
//    strides in the order of the input's strides (torch's infer_dense_strides).
//  * elementwise ops (torch's TensorIterator): with inputs all of the output's shape (no 0-d operand beside them),
//    contiguous if all are contiguous, channels-last if all 4-D inputs are channels-last, the inputs' strides if all
//    are dense with equal strides. Otherwise the output's dims are ordered by the inputs' strides, the first input
//    with a strict order between two dims deciding (broadcast dims, stride 0, never decide; equal strides put the
//    smaller dim first), and the output is dense in that order.
#pragma once
#include <initializer_list>

#include "core/tensor_impl.h"
#include "fl/memory_format.h"

namespace fl {

/// torch's is_contiguous(memory_format) and is_non_overlapping_and_dense, over raw metadata.
bool contiguous_in(const Shape& shape, const Shape& strides, MemoryFormat fmt = MemoryFormat::Contiguous);
bool non_overlapping_and_dense(const Shape& shape, const Shape& strides);
/// Row-major with torch's conventions (sizes < 1 count as 1).
bool has_row_major_strides(const Shape& shape, const Shape& strides);
/// Strides of a fresh tensor of `shape` in a memory format (not Preserve).
Shape format_strides(const Shape& shape, MemoryFormat fmt);
/// Strides of a copy of a tensor with (shape, strides) under `fmt` (Preserve: torch's empty_like rule).
Shape copy_strides(const Shape& shape, const Shape& strides, MemoryFormat fmt = MemoryFormat::Preserve);
/// Gives `out`, a fresh result of an elementwise op of `inputs`, torch's TensorIterator strides. Costs a few
/// comparisons when every input is row-major (nothing to change).
Tensor with_elementwise_strides(Tensor out, std::initializer_list<const Tensor*> inputs);
/// The `.grad` a leaf takes from a new gradient `g`, with torch's layout contract (AccumulateGrad): `g` itself when it
/// is not `aliased` and already has the leaf's strides (a dense leaf) or is contiguous; else a copy that does.
Tensor leaf_grad_layout(Tensor g, const TensorImpl& leaf, bool aliased);
/// Gives `out`, a fresh tensor of like's shape, the strides of a copy of `like` (clone, to, *_like).
Tensor with_copy_strides(Tensor out, const Tensor& like, MemoryFormat fmt = MemoryFormat::Preserve);

}  // namespace fl
