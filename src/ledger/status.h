// The ledger's errors are Haven's Status and StatusOr<T> (base/status.h).
#ifndef HAVEN_LEDGER_STATUS_H_
#define HAVEN_LEDGER_STATUS_H_

#include "base/status.h"

namespace haven::ledger {

using ::haven::Status;
using ::haven::StatusCode;
using ::haven::StatusOr;

}  // namespace haven::ledger

#define HAVEN_LEDGER_RETURN_IF_ERROR(expr) HAVEN_RETURN_IF_ERROR(expr)

#endif  // HAVEN_LEDGER_STATUS_H_
