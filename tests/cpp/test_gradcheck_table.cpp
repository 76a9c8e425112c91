// Runs every row of the gradient-check table (rows live beside each family's value tests).
#include "test_util.h"

namespace fl::test {

TEST(GradCheck, EveryRegisteredCase) {
  ASSERT_FALSE(grad_cases().empty());
  for (auto& c : grad_cases()) {
    SCOPED_TRACE("op: " + c.op);
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < c.shapes.size(); ++i) inputs.push_back(random_input(c.shapes[i], c.lo, c.hi, i));
    expect_gradcheck(c.fn, inputs, 1e-6, 1e-6, 1e-5, c.no_grad_inputs);
  }
}

}  // namespace fl::test
