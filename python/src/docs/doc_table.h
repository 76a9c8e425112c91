// One docstring table entry: a bound name and its PyTorch-style docstring (summary line, Args, Returns, Note).
// Each python/src/docs/<family>.h holds one constexpr table per family; docs.cpp maps them to lookup scopes.
#pragma once

namespace flpy::docs {

struct Doc {
  const char* name;
  const char* text;
};

// The Args line of the tensor parameter `input`, which nearly every op takes.
#define FL_DOC_INPUT "    input (Tensor): the input tensor.\n"
// A one-input elementwise op: `summary`, then Args/Returns; `more` adds lines (a Note) after Returns.
#define FL_DOC_UNARY(summary, result, more) \
  summary "\n\nArgs:\n" FL_DOC_INPUT "\nReturns:\n    Tensor: " result "\n" more
// A two-operand elementwise op that broadcasts `input` against `other` (a Tensor or a Python number).
#define FL_DOC_BINARY(summary, result, more)                                                                        \
  summary                                                                                                           \
      "\n\nArgs:\n" FL_DOC_INPUT                                                                                    \
      "    other (Tensor or Number): the second operand, broadcast against input.\n\nReturns:\n    Tensor: " result \
      "\n" more

}  // namespace flpy::docs
