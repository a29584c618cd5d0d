// Parsing and validating what a client asks: the body of POST /v1/search and
// the query parameters of GET /v1/records/{dataset}/{id}.
//
//   SearchQuery q;
//   std::optional<ApiError> e = ParseSearchBody(body, &q);
//   if (e) return Answer(e->status, e->code, e->message);  // a 400
//
// Strict by design (DESIGN.md, "The path of one query", step 3): duplicate
// keys, unknown fields, wrong types, a missing purpose or case number, an
// unknown dataset or purpose and a bad filter are all refused, and the
// message says where ("at /filter/plate: expected a string").
//
// Pure functions; thread-safe.
#ifndef HAVEN_GATEWAY_QUERY_H_
#define HAVEN_GATEWAY_QUERY_H_

#include <optional>
#include <string>
#include <string_view>

#include "records/records.h"

namespace haven::gateway {

// A refusal to answer: the HTTP status, a stable code for programs and a
// message for people. Rendered as {"error":{"code":..,"message":..}}.
struct ApiError {
  int status = 400;
  std::string code;  // "invalid_json", "duplicate_key", "unknown_field"...
  std::string message;
};

// A judicial or administrative warrant the requester presents.
struct Warrant {
  std::string kind;  // "judicial", "administrative", "detainer", ...
  std::string court;
  std::string judge;
  std::string number;
};

// Why the requester asks: passed to the policies as context.
struct Justification {
  std::string purpose;      // one of kPurposes
  std::string case_number;  // not empty
  std::string reason;       // free text; may be empty
  std::optional<Warrant> warrant;
};

// The purpose codes the API accepts. The policies decide which of them open
// anything (welcoming-city refuses "civil-immigration").
inline constexpr std::string_view kPurposes[] = {
    "criminal-investigation", "warrant-service", "missing-person",
    "officer-safety", "civil-immigration"};

inline constexpr int kDefaultLimit = 100;
inline constexpr int kMaxLimit = 500;

struct SearchQuery {
  records::Dataset dataset = records::Dataset::kPersons;
  records::Filter filter;
  Justification why;
  int limit = kDefaultLimit;
};

// Parses the JSON body of POST /v1/search:
//   {"dataset": "persons", "filter": {"last_name": "LOPEZ"},
//    "purpose": "criminal-investigation", "case_number": "JB-1",
//    "reason": "robbery", "warrant": {...}, "limit": 50}
// Fills `*out` as far as it got, even on error (for the audit entry).
std::optional<ApiError> ParseSearchBody(std::string_view body,
                                        SearchQuery* out);

// Parses the query string (without '?') of GET /v1/records/...: purpose,
// case_number, reason, and warrant_kind, warrant_court, warrant_judge,
// warrant_number. Percent-decoding as in application/x-www-form-urlencoded.
std::optional<ApiError> ParseJustificationParams(std::string_view query,
                                                 Justification* out);

// Decodes a query string into (name, value) pairs in order; fails on bad
// percent-encoding. Used for /v1/ledger/entries?from=&to= too.
std::optional<ApiError> ParseQueryString(
    std::string_view query,
    std::vector<std::pair<std::string, std::string>>* out);

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_QUERY_H_
