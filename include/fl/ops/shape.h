// Shape ops: joining, splitting, repeating, flipping and padding. View ops are Tensor methods (tensor.h),
// with free-function forms here.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fl/tensor.h"

namespace fl {

inline Tensor reshape(const Tensor& x, const Shape& shape) { return x.reshape(shape); }
inline Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1) { return x.flatten(start_dim, end_dim); }
inline Tensor squeeze(const Tensor& x) { return x.squeeze(); }
inline Tensor squeeze(const Tensor& x, int64_t dim) { return x.squeeze(dim); }
inline Tensor unsqueeze(const Tensor& x, int64_t dim) { return x.unsqueeze(dim); }
inline Tensor permute(const Tensor& x, const Shape& dims) { return x.permute(dims); }
inline Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) { return x.transpose(d0, d1); }
inline Tensor t(const Tensor& x) { return x.t(); }
inline Tensor select(const Tensor& x, int64_t dim, int64_t index) { return x.select(dim, index); }
inline Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) { return x.narrow(dim, start, length); }
inline Tensor diagonal(const Tensor& x, int64_t offset = 0, int64_t d1 = 0, int64_t d2 = 1) { return x.diagonal(offset, d1, d2); }
inline Tensor clone(const Tensor& x) { return x.clone(); }
Tensor unflatten(const Tensor& x, int64_t dim, const Shape& sizes);
Tensor movedim(const Tensor& x, const Shape& source, const Shape& destination);
Tensor movedim(const Tensor& x, int64_t source, int64_t destination);
Tensor swapaxes(const Tensor& x, int64_t a, int64_t b);
Tensor broadcast_to(const Tensor& x, const Shape& shape);
std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors);
Tensor atleast_1d(const Tensor& x);
Tensor atleast_2d(const Tensor& x);

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
inline Tensor concat(const std::vector<Tensor>& tensors, int64_t dim = 0) { return cat(tensors, dim); }
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor hstack(const std::vector<Tensor>& tensors);
Tensor vstack(const std::vector<Tensor>& tensors);
Tensor dstack(const std::vector<Tensor>& tensors);
/// Views, as PyTorch's split/chunk/unbind return.
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, const Shape& split_sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& x, int64_t dim = 0);
std::vector<Tensor> tensor_split(const Tensor& x, int64_t sections, int64_t dim = 0);

Tensor repeat(const Tensor& x, const Shape& repeats);
Tensor tile(const Tensor& x, const Shape& reps);
Tensor repeat_interleave(const Tensor& x, int64_t repeats, std::optional<int64_t> dim = std::nullopt);
Tensor flip(const Tensor& x, const Shape& dims);
Tensor fliplr(const Tensor& x);
Tensor flipud(const Tensor& x);
Tensor roll(const Tensor& x, const Shape& shifts, const Shape& dims = {});
Tensor rot90(const Tensor& x, int64_t k = 1, const Shape& dims = {0, 1});
Tensor tril(const Tensor& x, int64_t diagonal = 0);
Tensor triu(const Tensor& x, int64_t diagonal = 0);
/// torch.nn.functional.pad: pad lists pairs from the last dim backwards; mode "constant", "reflect",
/// "replicate" or "circular".
Tensor pad(const Tensor& x, const Shape& pad, const std::string& mode = "constant", double value = 0.0);

}  // namespace fl
