// Exceptions with PyTorch's classes: the Python binding maps each to the exception torch raises.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace fl {

/// RuntimeError in PyTorch: shape mismatches, autograd misuse, unsupported operations.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// IndexError: a dim or index out of range.
class IndexError : public Error {
 public:
  using Error::Error;
};
/// TypeError: wrong argument kinds.
class TypeError : public Error {
 public:
  using Error::Error;
};
/// ValueError: an argument with an invalid value.
class ValueError : public Error {
 public:
  using Error::Error;
};
/// NotImplementedError: a dtype or device an op does not support.
class NotImplementedError : public Error {
 public:
  using Error::Error;
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream ss;
  (ss << ... << args);
  return ss.str();
}
}  // namespace detail

}  // namespace fl

#define FL_CHECK_AS(Exc, cond, ...)                          \
  do {                                                       \
    if (!(cond)) throw Exc(::fl::detail::concat(__VA_ARGS__)); \
  } while (0)
#define FL_CHECK(cond, ...) FL_CHECK_AS(::fl::Error, cond, __VA_ARGS__)
#define FL_CHECK_INDEX(cond, ...) FL_CHECK_AS(::fl::IndexError, cond, __VA_ARGS__)
#define FL_CHECK_TYPE(cond, ...) FL_CHECK_AS(::fl::TypeError, cond, __VA_ARGS__)
#define FL_CHECK_VALUE(cond, ...) FL_CHECK_AS(::fl::ValueError, cond, __VA_ARGS__)
