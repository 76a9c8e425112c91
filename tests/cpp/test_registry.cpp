// Every registered op has value tests, and a gradient check unless it is marked non-differentiable.
#include <algorithm>
#include <set>

#include "test_util.h"

namespace fl::test {

TEST(Registry, EveryOpHasValueTestsAndGradChecks) {
  std::set<std::string> values(value_tested().begin(), value_tested().end());
  std::set<std::string> grads;
  for (auto& c : grad_cases()) grads.insert(c.op);
  ASSERT_FALSE(op_registry().empty());
  for (auto& op : op_registry()) {
    EXPECT_TRUE(values.count(op.name)) << op.family << "::" << op.name << " has no value test";
    if (op.differentiable) EXPECT_TRUE(grads.count(op.name)) << op.family << "::" << op.name << " has no gradient check";
  }
}

TEST(Registry, NamesAreUnique) {
  std::set<std::string> seen;
  for (auto& op : op_registry()) EXPECT_TRUE(seen.insert(op.name).second) << "duplicate registry entry " << op.name;
}

}  // namespace fl::test
