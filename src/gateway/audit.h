// The audit entry: what the ledger records about every attempt to reach the
// records, allowed or not (DESIGN.md, "Formats that others can check").
//
//   AuditRecord r;
//   r.time_ms = NowMs(); r.user = "fbi.agent"; r.decision = "allow"; ...
//   std::string entry = EncodeAuditRecord(r);  // canonical JSON
//   ledger->AppendAsync(entry, ...);
//
// It holds what the FBI CJIS Security Policy asks of an audit record (5.4.1):
// who (user, agency, credential), when (UTC), from where (client address),
// what was asked (method, path, dataset, filter or record id), why (purpose,
// case number, reason, the flags computed from it), the outcome (HTTP
// status, Cedar decision and the deciding policies, error code), and what
// left (result count, a digest of the returned record ids, the fields
// withheld). docs/gateway.md, "Audit entries", lists every key.
//
// Pure; thread-safe.
#ifndef HAVEN_GATEWAY_AUDIT_H_
#define HAVEN_GATEWAY_AUDIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "records/records.h"

namespace haven::gateway {

struct AuditRecord {
  int64_t time_ms = 0;  // Unix milliseconds, UTC
  // Who. Empty when unknown (a 401 with an unknown token).
  std::string user;
  std::string agency;      // ORI
  std::string credential;  // token id ("tok_..."), when known
  std::string client;      // source address
  // What was asked.
  std::string method;
  std::string path;  // without the query string
  std::string dataset;
  records::Filter filter;
  std::string record_id;
  // Why.
  std::string purpose;
  std::string case_number;
  std::string reason;
  std::vector<std::string> flags;
  std::optional<std::string> warrant_kind;
  // The outcome.
  int status = 0;
  std::string error;     // error code of a refusal, else empty
  std::string decision;  // "allow", "deny", or empty if Cedar was not asked
  std::vector<std::string> policies;  // deciding policies (Cedar reasons)
  // Whether oversight should look at this attempt: an immigration-related
  // reason or purpose, or a DHS principal.
  bool flagged = false;
  // What left.
  int64_t result_count = 0;
  std::string results_digest;  // ResultsDigest of the returned ids
  std::vector<std::string> withheld_fields;
};

// One JSON object, keys sorted, no whitespace; "kind":"access", "v":1.
// Empty optional parts are left out; `status` and `time` are always there.
std::string EncodeAuditRecord(const AuditRecord& r);

// "sha256:" + hex SHA-256 over the ids sorted and each followed by "\n"; ""
// for none. Lets an auditor check which records left without the log
// holding them.
std::string ResultsDigest(std::vector<std::string_view> ids);

// Lower-case hex SHA-256 of `data`, as audit entries write hashes.
std::string Sha256Hex(std::string_view data);

// RFC 3339 UTC with milliseconds: "2026-11-27T15:04:05.123Z".
std::string FormatTimeMs(int64_t unix_ms);
int64_t NowMs();

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_AUDIT_H_
