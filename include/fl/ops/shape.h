// Shape ops: joining, splitting, repeating, flipping and padding. View ops are Tensor methods (tensor.h),
// with free-function forms here.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fl/tensor.h"

namespace fl {

/// torch.reshape: x.reshape(shape).
inline Tensor reshape(const Tensor& x, const Shape& shape) { return x.reshape(shape); }
/// torch.flatten: x.flatten(start_dim, end_dim).
inline Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1) { return x.flatten(start_dim, end_dim); }
/// torch.squeeze: x.squeeze() (overloads: every size-1 dim, or one dim).
inline Tensor squeeze(const Tensor& x) { return x.squeeze(); }
inline Tensor squeeze(const Tensor& x, int64_t dim) { return x.squeeze(dim); }
/// torch.unsqueeze: x.unsqueeze(dim).
inline Tensor unsqueeze(const Tensor& x, int64_t dim) { return x.unsqueeze(dim); }
/// torch.permute: x.permute(dims).
inline Tensor permute(const Tensor& x, const Shape& dims) { return x.permute(dims); }
/// torch.transpose: x.transpose(d0, d1).
inline Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) { return x.transpose(d0, d1); }
/// torch.t: x.t().
inline Tensor t(const Tensor& x) { return x.t(); }
/// torch.select: x.select(dim, index).
inline Tensor select(const Tensor& x, int64_t dim, int64_t index) { return x.select(dim, index); }
/// torch.narrow: x.narrow(dim, start, length).
inline Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) { return x.narrow(dim, start, length); }
/// torch.diagonal: x.diagonal(offset, d1, d2).
inline Tensor diagonal(const Tensor& x, int64_t offset = 0, int64_t d1 = 0, int64_t d2 = 1) { return x.diagonal(offset, d1, d2); }
/// torch.clone: x.clone().
inline Tensor clone(const Tensor& x) { return x.clone(); }
/// torch.unflatten: dim split into sizes (one -1 inferred), as a view.
Tensor unflatten(const Tensor& x, int64_t dim, const Shape& sizes);
/// torch.movedim: the source dims moved to the destination positions, as a view (overloads for lists or single dims).
Tensor movedim(const Tensor& x, const Shape& source, const Shape& destination);
Tensor movedim(const Tensor& x, int64_t source, int64_t destination);
/// torch.swapaxes: transpose(a, b).
Tensor swapaxes(const Tensor& x, int64_t a, int64_t b);
/// torch.broadcast_to: x.expand(shape).
Tensor broadcast_to(const Tensor& x, const Shape& shape);
/// torch.broadcast_tensors: each tensor expanded to the common broadcast shape.
std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors);
/// torch.atleast_1d: a 0-d tensor as shape (1), others unchanged.
Tensor atleast_1d(const Tensor& x);
/// torch.atleast_2d: 0-d as (1, 1), 1-d (n) as (1, n), others unchanged.
Tensor atleast_2d(const Tensor& x);

/// torch.cat: the tensors joined along an existing dim, with type promotion.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// torch.concat: cat's alias.
inline Tensor concat(const std::vector<Tensor>& tensors, int64_t dim = 0) { return cat(tensors, dim); }
/// torch.stack: equal-shaped tensors joined along a new dim.
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// torch.hstack: cat along dim 1 (dim 0 for 1-d tensors).
Tensor hstack(const std::vector<Tensor>& tensors);
/// torch.vstack: atleast_2d of each, cat along dim 0.
Tensor vstack(const std::vector<Tensor>& tensors);
/// torch.dstack: each made at least 3-d, cat along dim 2.
Tensor dstack(const std::vector<Tensor>& tensors);
/// torch.split (overloads: pieces of split_size, the last smaller, or of the given sizes) along dim.
/// Views, as PyTorch's split/chunk/unbind return.
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, const Shape& split_sizes, int64_t dim = 0);
/// torch.chunk: at most `chunks` views of ceil(size / chunks) along dim.
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
/// torch.unbind: the selects along dim, as views.
std::vector<Tensor> unbind(const Tensor& x, int64_t dim = 0);
/// torch.tensor_split: `sections` views of sizes differing by at most one (the first ones larger).
std::vector<Tensor> tensor_split(const Tensor& x, int64_t sections, int64_t dim = 0);

/// torch.Tensor.repeat: x tiled repeats[i] times along each dim (leading dims added as needed).
Tensor repeat(const Tensor& x, const Shape& repeats);
/// torch.tile: repeat, with reps padded by leading 1s to x's dims.
Tensor tile(const Tensor& x, const Shape& reps);
/// torch.repeat_interleave: each element repeated in place along dim (of the flattened tensor when nullopt).
Tensor repeat_interleave(const Tensor& x, int64_t repeats, std::optional<int64_t> dim = std::nullopt);
/// torch.flip: the order along dims reversed (a copy).
Tensor flip(const Tensor& x, const Shape& dims);
/// torch.fliplr: flip along dim 1 (at least 2-d).
Tensor fliplr(const Tensor& x);
/// torch.flipud: flip along dim 0 (at least 1-d).
Tensor flipud(const Tensor& x);
/// torch.roll: elements shifted cyclically along dims (of the flattened tensor without dims).
Tensor roll(const Tensor& x, const Shape& shifts, const Shape& dims = {});
/// torch.rot90: k quarter turns in the plane of dims, from the first towards the second.
Tensor rot90(const Tensor& x, int64_t k = 1, const Shape& dims = {0, 1});
/// torch.tril: the lower triangle of the last two dims (elements above `diagonal` zeroed).
Tensor tril(const Tensor& x, int64_t diagonal = 0);
/// torch.triu: the upper triangle of the last two dims (elements below `diagonal` zeroed).
Tensor triu(const Tensor& x, int64_t diagonal = 0);
/// torch.nn.functional.pad: pad lists pairs from the last dim backwards; mode "constant", "reflect",
/// "replicate" or "circular".
Tensor pad(const Tensor& x, const Shape& pad, const std::string& mode = "constant", double value = 0.0);

}  // namespace fl
