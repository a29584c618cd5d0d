// Result<T>: a value of type T, or an Error saying what went wrong and where.
//
//   Result<PolicySet> r = ParsePolicySet(text);
//   if (!r.ok()) { std::cerr << r.error().message() << "\n"; return 2; }
//   PolicySet& set = *r;
//
// Errors are values in the cedar library; no exception crosses its edge.
// Thread-compatible: distinct objects may be used from different threads.
#ifndef HAVEN_CEDAR_RESULT_H_
#define HAVEN_CEDAR_RESULT_H_

#include <string>
#include <utility>
#include <variant>

namespace haven::cedar {

// Error is a human-readable message. Parsers put the place first: text
// errors as "line L, column C: ...", JSON errors as "at /path/to/key: ...".
class [[nodiscard]] Error {
 public:
  Error() = default;
  explicit Error(std::string message) : message_(std::move(message)) {}
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  const Error& error() const { return std::get<1>(v_); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_RESULT_H_
