#include "fl/data/dataloader.h"

#include <algorithm>
#include <utility>

#include "fl/error.h"
#include "fl/ops/creation.h"

namespace fl::data {

TensorDataset::TensorDataset(std::vector<Tensor> tensors) : tensors_(std::move(tensors)), size_(0) {
  FL_CHECK_VALUE(!tensors_.empty(), "TensorDataset needs at least one tensor");
  for (const Tensor& t : tensors_) {
    FL_CHECK_VALUE(t.defined() && t.dim() > 0, "TensorDataset: every tensor needs a first dimension, got a ",
                   t.defined() ? "0-d" : "undefined", " tensor");
  }
  size_ = tensors_[0].size(0);
  for (const Tensor& t : tensors_) {
    FL_CHECK_VALUE(t.size(0) == size_, "Size mismatch between tensors: ", size_, " rows and ", t.size(0), " rows");
  }
}

std::vector<Tensor> TensorDataset::operator[](int64_t i) const {
  FL_CHECK_INDEX(i >= -size_ && i < size_, "index ", i, " is out of bounds for a dataset of size ", size_);
  std::vector<Tensor> row;
  row.reserve(tensors_.size());
  for (const Tensor& t : tensors_) row.push_back(t.select(0, i));
  return row;
}

std::vector<Tensor> TensorDataset::gather(const Tensor& indices) const {
  std::vector<Tensor> rows;
  rows.reserve(tensors_.size());
  for (const Tensor& t : tensors_) rows.push_back(t.index_select(0, indices));
  return rows;
}

DataLoader::DataLoader(TensorDataset dataset, const DataLoaderOptions& options)
    : dataset_(std::move(dataset)), options_(options) {
  FL_CHECK_VALUE(options_.batch_size > 0,
                 "batch_size should be a positive integer value, but got batch_size=", options_.batch_size);
}

DataLoader::DataLoader(TensorDataset dataset, int64_t batch_size, bool shuffle, bool drop_last, Generator* generator)
    : DataLoader(std::move(dataset), DataLoaderOptions{batch_size, shuffle, drop_last, generator}) {}

int64_t DataLoader::size() const {
  const int64_t n = dataset_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

DataLoader::Iterator DataLoader::begin() const {
  const int64_t n = dataset_.size();
  Tensor order = options_.shuffle ? randperm(n, kInt64, options_.generator) : arange(n, kInt64);
  return Iterator(this, order, 0);
}

DataLoader::Iterator DataLoader::end() const { return Iterator(this, Tensor(), size()); }

std::vector<Tensor> DataLoader::Iterator::operator*() const {
  FL_CHECK_INDEX(order_.defined() && batch_ < loader_->size(), "DataLoader iterator dereferenced past its end");
  const int64_t b = loader_->options_.batch_size, start = batch_ * b;
  const int64_t len = std::min(b, loader_->dataset_.size() - start);
  return loader_->dataset_.gather(order_.narrow(0, start, len));
}

}  // namespace fl::data
