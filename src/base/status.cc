#include "base/status.h"

#include <cstring>

namespace haven {

Status Status::FromErrno(std::string_view context, int err) {
  std::string msg(context);
  msg += ": ";
  msg += std::strerror(err);
  return IOError(std::move(msg));
}

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      name = "Invalid argument";
      break;
    case StatusCode::kNotFound:
      name = "Not found";
      break;
    case StatusCode::kAlreadyExists:
      name = "Already exists";
      break;
    case StatusCode::kCorruption:
      name = "Corruption";
      break;
    case StatusCode::kVerificationFailed:
      name = "Verification failed";
      break;
    case StatusCode::kFailedPrecondition:
      name = "Failed precondition";
      break;
    case StatusCode::kIOError:
      name = "I/O error";
      break;
    case StatusCode::kUnauthenticated:
      name = "Unauthenticated";
      break;
    case StatusCode::kPermissionDenied:
      name = "Permission denied";
      break;
    case StatusCode::kResourceExhausted:
      name = "Resource exhausted";
      break;
    case StatusCode::kUnavailable:
      name = "Unavailable";
      break;
    case StatusCode::kInternal:
      name = "Internal";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace haven
