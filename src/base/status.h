// Status and StatusOr<T>: errors as values, for every Haven library above
// cedar (which has its own Result) — the ledger, the directory, the records
// store, the gateway and the server.
//
// A Status is either OK or a code with a message. StatusOr<T> holds a T or a
// non-OK Status. Both are [[nodiscard]]: a caller must look at them.
//
//   StatusOr<Ledger> ledger = Ledger::Open(options, "/var/lib/haven/ledger");
//   if (!ledger.ok()) return ledger.status();
//
// Values are immutable after construction and safe to share between threads.
#ifndef HAVEN_BASE_STATUS_H_
#define HAVEN_BASE_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace haven {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed
  kNotFound,            // a file or an entry does not exist
  kAlreadyExists,       // refusing to overwrite
  kCorruption,          // stored bytes are not what was written
  kVerificationFailed,  // a proof, signature or checkpoint does not hold
  kFailedPrecondition,  // the ledger is not in a state that allows this
  kIOError,             // the operating system said no
  kUnauthenticated,     // no valid credential
  kPermissionDenied,    // the caller may not do this
  kResourceExhausted,   // a limit was reached
  kUnavailable,         // shutting down, or a dependency is down
  kInternal,            // a bug: an invariant did not hold
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
  static Status Unauthenticated(std::string msg) {
    return Status(StatusCode::kUnauthenticated, std::move(msg));
  }
  static Status PermissionDenied(std::string msg) {
    return Status(StatusCode::kPermissionDenied, std::move(msg));
  }
  static Status ResourceExhausted(std::string msg) {
    return Status(StatusCode::kResourceExhausted, std::move(msg));
  }
  static Status Unavailable(std::string msg) {
    return Status(StatusCode::kUnavailable, std::move(msg));
  }
  static Status Internal(std::string msg) {
    return Status(StatusCode::kInternal, std::move(msg));
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

}  // namespace haven

// Returns from the enclosing function if `expr` is not OK.
#define HAVEN_RETURN_IF_ERROR(expr) \
  do {                              \
    ::haven::Status _st = (expr);   \
    if (!_st.ok()) return _st;      \
  } while (0)

#endif  // HAVEN_BASE_STATUS_H_
