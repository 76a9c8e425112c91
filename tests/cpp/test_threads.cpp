// Tensors cross threads as in PyTorch: a lazily recorded graph is evaluated on whichever thread reads it.
#include <thread>

#include "test_util.h"

namespace fl::test {
namespace {

// A value still lazy in MLX (random draws and the ops on them are recorded, not run).
Tensor lazy_sum(uint64_t seed) {
  Generator g(seed);
  Tensor x = randn({1000}, TensorOptions().dtype(kFloat64), &g);
  return (x * 2.0 + 1.0).sum();
}

double on_fresh_thread(const std::function<double()>& f) {
  double r = 0;
  std::string error;
  std::thread t([&] {
    try {
      r = f();
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  t.join();
  EXPECT_EQ(error, "");
  return r;
}

TEST(Threads, LazyValueFromThisThreadIsReadOnAnother) {
  Tensor y = lazy_sum(7);
  double there = on_fresh_thread([&] { return y.item<double>(); });
  EXPECT_DOUBLE_EQ(there, lazy_sum(7).item<double>());
}

TEST(Threads, LazyValueFromAnotherThreadIsReadHere) {
  Tensor y;
  on_fresh_thread([&] {
    y = lazy_sum(11);  // the first op this thread records
    return 0.0;
  });
  EXPECT_DOUBLE_EQ(y.item<double>(), lazy_sum(11).item<double>());
}

// Each creation op as the very first op of a fresh thread; the lazy result is read on this one.
TEST(Threads, CreationOpsFirstOnAThreadAreReadHere) {
  const TensorOptions f64 = TensorOptions().dtype(kFloat64);
  const std::vector<std::pair<const char*, std::function<Tensor()>>> makers = {
      {"zeros", [&] { return zeros({3}, f64); }},
      {"ones", [&] { return ones({3}, f64); }},
      {"full", [&] { return full({3}, 2.5, f64); }},
      {"arange", [&] { return arange(0, 3, 1, f64); }},
      {"linspace", [&] { return linspace(0, 1, 3, f64); }},
      {"eye", [&] { return eye(3, std::nullopt, f64); }},
      {"tensor",
       [&] {
         return tensor({1.0, 2.0}, f64);
       }},
      {"randn",
       [&] {
         Generator g(5);
         return randn({3}, f64, &g);
       }},
      {"rand",
       [&] {
         Generator g(5);
         return rand({3}, f64, &g);
       }},
      {"randint",
       [&] {
         Generator g(5);
         return randint(0, 9, {3}, {}, &g);
       }},
  };
  for (const auto& [name, make] : makers) {
    SCOPED_TRACE(name);
    Tensor there;
    on_fresh_thread([&] {
      there = (make() * 3 + 1).sum();
      return 0.0;
    });
    double got = 0;
    EXPECT_NO_THROW(got = there.item<double>());
    EXPECT_DOUBLE_EQ(got, (make() * 3 + 1).sum().item<double>());
  }
}

TEST(Threads, BackwardOnAnotherThread) {
  Generator g(3);
  Tensor c = randn({3}, TensorOptions().dtype(kFloat64), &g);  // lazy: the whole graph is still unevaluated
  Tensor w = tensor({1.0, 2.0, 3.0}, TensorOptions().dtype(kFloat64)).requires_grad_();
  Tensor loss = (w * w * c).sum();
  on_fresh_thread([&] {
    loss.backward();
    return 0.0;
  });
  Tensor expected = (w.detach() * 2.0 * c);
  EXPECT_TRUE(allclose(w.grad(), expected));
}

TEST(Threads, IndependentWorkOnTwoThreadsAtOnce) {
  std::vector<double> got(2);
  std::vector<std::thread> ts;
  for (int k = 0; k < 2; ++k)
    ts.emplace_back([&got, k] {
      double acc = 0;
      for (int i = 0; i < 200; ++i)
        acc += (full({64}, double(k + 1), TensorOptions().dtype(kFloat64)) * 0.5).sum().item<double>();
      got[k] = acc;
    });
  for (auto& t : ts) t.join();
  EXPECT_DOUBLE_EQ(got[0], 200 * 32.0);
  EXPECT_DOUBLE_EQ(got[1], 200 * 64.0);
}

}  // namespace
}  // namespace fl::test
