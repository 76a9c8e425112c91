// The op registry: every public op, its family and whether it is differentiable. A test walks it to check
// that each op has value tests, and a gradient check unless marked non-differentiable.
#pragma once
#include <initializer_list>
#include <vector>

namespace fl {

/// One registered op: its public name, its family ("unary", "nn.activation", ...) and whether it is differentiable.
struct OpInfo {
  const char* name;
  const char* family;
  bool differentiable;
};

/// Every registered op.
const std::vector<OpInfo>& op_registry();

/// Each family's source file registers its ops with one static OpRegistrar.
struct OpRegistrar {
  OpRegistrar(std::initializer_list<OpInfo> ops);
};

}  // namespace fl
