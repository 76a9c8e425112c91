// fl::data::TensorDataset and DataLoader: batching, the remainder batch and drop_last, shuffling (a permutation,
// reproducible with a seeded Generator, new each epoch) and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "fl/data/dataloader.h"
#include "test_util.h"

namespace fl::test {
namespace {

using data::DataLoader;
using data::DataLoaderOptions;
using data::TensorDataset;

// 10 rows: x row i is [2i, 2i+1], y row i is i.
TensorDataset ten_rows() { return TensorDataset({arange(20, kFloat32).reshape({10, 2}), arange(10, kInt64)}); }

// The y values (row indices) of every batch of one epoch, and checks that x stays aligned with y.
std::vector<std::vector<int64_t>> epoch_rows(const DataLoader& loader) {
  std::vector<std::vector<int64_t>> out;
  for (const std::vector<Tensor>& batch : loader) {
    EXPECT_EQ(batch.size(), 2u);
    auto y = batch[1].tolist<int64_t>();
    std::vector<double> x_want;
    for (int64_t r : y) x_want.insert(x_want.end(), {2.0 * r, 2.0 * r + 1});
    expect_values(batch[0], x_want, {static_cast<int64_t>(y.size()), 2});
    EXPECT_EQ(batch[0].dtype(), kFloat32);
    EXPECT_EQ(batch[1].dtype(), kInt64);
    out.push_back(y);
  }
  return out;
}

TEST(DataTensorDataset, RowsAndSize) {
  TensorDataset ds = ten_rows();
  EXPECT_EQ(ds.size(), 10);
  auto row = ds[3];
  expect_values(row[0], {6, 7}, {2});
  EXPECT_EQ(row[1].item<int64_t>(), 3);
  EXPECT_EQ(ds[-1][1].item<int64_t>(), 9);
  auto rows = ds.gather(tensor<int64_t>({4, 0}));
  expect_values(rows[0], {8, 9, 0, 1}, {2, 2});
  expect_values(rows[1], {4, 0}, {2});
}

TEST(DataTensorDataset, Errors) {
  expect_error_containing<ValueError>(
      [] {
        TensorDataset({zeros({3, 2}), zeros({4})});
      },
      "Size mismatch between tensors");
  expect_error_containing<ValueError>([] { TensorDataset(std::vector<Tensor>{}); }, "at least one tensor");
  expect_error_containing<ValueError>([] { TensorDataset({tensor(1.0)}); }, "first dimension");
  expect_error_containing<IndexError>([] { ten_rows()[10]; }, "out of bounds");
  expect_error_containing<IndexError>([] { ten_rows()[-11]; }, "out of bounds");
}

TEST(DataLoader, SequentialBatchesWithRemainder) {
  DataLoader loader(ten_rows(), 4);
  EXPECT_EQ(loader.size(), 3);
  std::vector<std::vector<int64_t>> want = {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}};
  EXPECT_EQ(epoch_rows(loader), want);
  EXPECT_EQ(epoch_rows(loader), want);  // a second epoch is the same
}

TEST(DataLoader, DropLast) {
  DataLoader loader(ten_rows(), DataLoaderOptions{.batch_size = 4, .drop_last = true});
  EXPECT_EQ(loader.size(), 2);
  std::vector<std::vector<int64_t>> want = {{0, 1, 2, 3}, {4, 5, 6, 7}};
  EXPECT_EQ(epoch_rows(loader), want);
  // Exact division: drop_last drops nothing; a batch larger than the dataset gives one batch or none.
  EXPECT_EQ(DataLoader(ten_rows(), 5, false, true).size(), 2);
  EXPECT_EQ(epoch_rows(DataLoader(ten_rows(), 16)).size(), 1u);
  EXPECT_EQ(DataLoader(ten_rows(), 16, false, true).size(), 0);
  EXPECT_TRUE(epoch_rows(DataLoader(ten_rows(), 16, false, true)).empty());
}

TEST(DataLoader, ShuffleIsAReproduciblePermutation) {
  Generator g1(7), g2(7);
  DataLoader a(ten_rows(), 3, true, false, &g1), b(ten_rows(), 3, true, false, &g2);
  EXPECT_EQ(a.size(), 4);
  auto ea1 = epoch_rows(a), eb1 = epoch_rows(b);
  EXPECT_EQ(ea1, eb1);  // same seed, same order
  std::vector<int64_t> flat;
  for (const auto& batch : ea1) flat.insert(flat.end(), batch.begin(), batch.end());
  std::vector<size_t> sizes;
  for (const auto& batch : ea1) sizes.push_back(batch.size());
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 3, 1}));
  std::vector<int64_t> sorted = flat, iota(10);
  std::sort(sorted.begin(), sorted.end());
  std::iota(iota.begin(), iota.end(), 0);
  EXPECT_EQ(sorted, iota);  // every row exactly once
  EXPECT_NE(flat, iota);    // shuffled (fixed seed: deterministic)
  // The next epoch draws a new permutation, again the same for both generators.
  auto ea2 = epoch_rows(a);
  EXPECT_NE(ea2, ea1);
  EXPECT_EQ(ea2, epoch_rows(b));
  // Re-seeding replays the first epoch.
  g1.manual_seed(7);
  EXPECT_EQ(epoch_rows(a), ea1);
  // The default generator is used when none is given, and fl::manual_seed makes it reproducible.
  DataLoader d(ten_rows(), 10, true);
  manual_seed(3);
  auto d1 = epoch_rows(d);
  manual_seed(3);
  EXPECT_EQ(epoch_rows(d), d1);
}

TEST(DataLoader, Errors) {
  expect_error_containing<ValueError>([] { DataLoader(ten_rows(), 0); },
                                      "batch_size should be a positive integer value, but got batch_size=0");
  expect_error_containing<ValueError>([] { DataLoader(ten_rows(), -2); }, "batch_size=-2");
  DataLoader loader(ten_rows(), 4);
  expect_error_containing<IndexError>([&] { *loader.end(); }, "past its end");
}

}  // namespace
}  // namespace fl::test
