// torch.utils.data's TensorDataset and DataLoader for C++ training loops: rows of in-memory tensors, batched
// (optionally shuffled with a seedable Generator) and gathered with index_select.
#pragma once
#include <cstdint>
#include <vector>

#include "fl/ops/random.h"
#include "fl/tensor.h"

namespace fl::data {

/// Row i of the dataset is row i (along dim 0) of every tensor; all tensors must have the same first dimension.
class TensorDataset {
 public:
  explicit TensorDataset(std::vector<Tensor> tensors);
  /// Number of rows.
  int64_t size() const { return size_; }
  /// The tensors, as given.
  const std::vector<Tensor>& tensors() const { return tensors_; }
  /// Row i of every tensor (negative i counts from the end, as in Python).
  std::vector<Tensor> operator[](int64_t i) const;
  /// The rows at `indices` (an int64 1-d tensor) of every tensor.
  std::vector<Tensor> gather(const Tensor& indices) const;

 private:
  std::vector<Tensor> tensors_;
  int64_t size_;
};

/// DataLoader's arguments, as torch.utils.data.DataLoader's (in-process only: no workers).
struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  /// Drops the last batch when it is smaller than batch_size.
  bool drop_last = false;
  /// Draws each epoch's permutation when shuffling; nullptr means the default generator (fl::manual_seed).
  Generator* generator = nullptr;
};

/// Iterating yields one std::vector<Tensor> per batch (one entry per dataset tensor). With shuffle, every
/// iteration (every call to begin()) draws a new permutation, like a new epoch of torch's DataLoader.
class DataLoader {
 public:
  DataLoader(TensorDataset dataset, const DataLoaderOptions& options);
  DataLoader(TensorDataset dataset, int64_t batch_size = 1, bool shuffle = false, bool drop_last = false,
             Generator* generator = nullptr);

  /// Number of batches per epoch.
  int64_t size() const;
  /// The dataset batches are drawn from.
  const TensorDataset& dataset() const { return dataset_; }
  /// The options it was built with.
  const DataLoaderOptions& options() const { return options_; }

  /// An input iterator over one epoch's batches.
  class Iterator {
   public:
    /// The current batch: its rows of every dataset tensor; IndexError past the end.
    std::vector<Tensor> operator*() const;
    /// Moves to the next batch.
    Iterator& operator++() {
      ++batch_;
      return *this;
    }
    /// Whether both point at the same batch number.
    bool operator==(const Iterator& other) const { return batch_ == other.batch_; }
    /// Whether they point at different batch numbers.
    bool operator!=(const Iterator& other) const { return batch_ != other.batch_; }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, Tensor order, int64_t batch) : loader_(loader), order_(order), batch_(batch) {}
    const DataLoader* loader_;
    Tensor order_;  // the epoch's row order (int64), defined only on begin() iterators
    int64_t batch_;
  };

  /// Starts an epoch: draws the row order (a new permutation when shuffling).
  Iterator begin() const;
  /// Past the epoch's last batch.
  Iterator end() const;

 private:
  TensorDataset dataset_;
  DataLoaderOptions options_;
};

}  // namespace fl::data
