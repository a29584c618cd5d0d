// Status and StatusOr<T>: errors as values for the ledger library.
//
// A Status is either OK or a code with a message. StatusOr<T> holds a T or a
// non-OK Status. Both are [[nodiscard]]: a caller must look at them.
//
//   StatusOr<Ledger> ledger = Ledger::Open(options, "/var/lib/haven/ledger");
//   if (!ledger.ok()) return ledger.status();
//
// Values are immutable after construction and safe to share between threads.
#ifndef HAVEN_LEDGER_STATUS_H_
#define HAVEN_LEDGER_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace haven::ledger {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed
  kNotFound,            // a file or an entry does not exist
  kAlreadyExists,       // refusing to overwrite
  kCorruption,          // stored bytes are not what was written
  kVerificationFailed,  // a proof, signature or checkpoint does not hold
  kFailedPrecondition,  // the ledger is not in a state that allows this
  kIOError,             // the operating system said no
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) {
    return Status(StatusCode::kNotFound, std::move(msg));
  }
  static Status AlreadyExists(std::string msg) {
    return Status(StatusCode::kAlreadyExists, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  static Status VerificationFailed(std::string msg) {
    return Status(StatusCode::kVerificationFailed, std::move(msg));
  }
  static Status FailedPrecondition(std::string msg) {
    return Status(StatusCode::kFailedPrecondition, std::move(msg));
  }
  static Status IOError(std::string msg) {
    return Status(StatusCode::kIOError, std::move(msg));
  }
  // An IOError for a failed system call: "<context>: <strerror(errno)>".
  static Status FromErrno(std::string_view context, int err);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Corruption: <message>", or "OK".
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string msg)
      : code_(code), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// StatusOr<T> holds either a value or a non-OK Status.
//
//   StatusOr<Checkpoint> cp = ParseCheckpoint(text);
//   if (!cp.ok()) return cp.status();
//   use(cp->size);
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT: implicit
    assert(!std::get<Status>(v_).ok());
  }
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace haven::ledger

// Returns from the enclosing function if `expr` is not OK.
#define HAVEN_LEDGER_RETURN_IF_ERROR(expr) \
  do {                                     \
    ::haven::ledger::Status _st = (expr);  \
    if (!_st.ok()) return _st;             \
  } while (0)

#endif  // HAVEN_LEDGER_STATUS_H_
