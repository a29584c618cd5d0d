// Standard base64 (RFC 4648 §4, with padding), strict on input.
//
//   std::string text = Base64Encode(bytes);
//   std::optional<std::string> bytes = Base64Decode(text);  // nullopt if bad
//
// Decoding accepts only the canonical encoding: length a multiple of 4,
// padding only at the end, unused bits zero, no whitespace. Pure and
// thread-safe.
#ifndef HAVEN_LEDGER_BASE64_H_
#define HAVEN_LEDGER_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace haven::ledger {

std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_BASE64_H_
