#include "fl/registry.h"

namespace fl {

namespace {
std::vector<OpInfo>& storage() {
  static std::vector<OpInfo> ops;
  return ops;
}
}  // namespace

const std::vector<OpInfo>& op_registry() { return storage(); }

OpRegistrar::OpRegistrar(std::initializer_list<OpInfo> ops) {
  storage().insert(storage().end(), ops.begin(), ops.end());
}

}  // namespace fl
