#include "gateway/audit.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "cedar/json_value.h"
#include "ledger/hash.h"

namespace haven::gateway {

std::string Sha256Hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : ledger::Sha256(data)) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string FormatTimeMs(int64_t unix_ms) {
  int64_t secs = unix_ms / 1000;
  int ms = static_cast<int>(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[64];  // room for any int in each field, as -Wformat sees it
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, ms);
  return buf;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ResultsDigest(std::vector<std::string_view> ids) {
  if (ids.empty()) return "";
  std::sort(ids.begin(), ids.end());
  std::string joined;
  for (std::string_view id : ids) {
    joined += id;
    joined += '\n';
  }
  return "sha256:" + Sha256Hex(joined);
}

// Written directly, keys in byte order, rather than through a JSON DOM: one
// of these is made for every request. audit_test.cc checks that the bytes
// are what CanonicalJson makes of the same object.
std::string EncodeAuditRecord(const AuditRecord& r) {
  std::string out;
  out.reserve(512);
  char sep = '{';
  auto key = [&](std::string_view k) {
    out += sep;
    sep = ',';
    cedar::AppendJsonString(k, &out);
    out += ':';
  };
  auto str = [&](std::string_view k, const std::string& v) {
    if (v.empty()) return;
    key(k);
    cedar::AppendJsonString(v, &out);
  };
  auto strings = [&](std::string_view k, const std::vector<std::string>& v) {
    key(k);
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      cedar::AppendJsonString(v[i], &out);
    }
    out += ']';
  };
  const bool answered = r.decision == "allow" && r.status == 200;
  str("agency", r.agency);
  str("case_number", r.case_number);
  str("client", r.client);
  str("credential", r.credential);
  str("dataset", r.dataset);
  str("decision", r.decision);
  str("error", r.error);
  if (!r.filter.empty()) {
    key("filter");
    char fsep = '{';
    for (const auto& [k, v] : r.filter) {  // a std::map: in byte order
      out += fsep;
      fsep = ',';
      cedar::AppendJsonString(k, &out);
      out += ':';
      cedar::AppendJsonString(v, &out);
    }
    out += '}';
  }
  if (r.flagged) {
    key("flagged");
    out += "true";
  }
  if (!r.flags.empty()) strings("flags", r.flags);
  key("kind");
  out += "\"access\"";
  str("method", r.method);
  str("path", r.path);
  if (!r.decision.empty()) strings("policies", r.policies);
  str("purpose", r.purpose);
  str("reason", r.reason);
  str("record_id", r.record_id);
  if (answered) {
    key("result_count");
    out += std::to_string(r.result_count);
    str("results_digest", r.results_digest);
  }
  key("status");
  out += std::to_string(r.status);
  key("time");
  cedar::AppendJsonString(FormatTimeMs(r.time_ms), &out);
  str("user", r.user);
  key("v");
  out += '1';
  if (r.warrant_kind) {
    key("warrant_kind");
    cedar::AppendJsonString(*r.warrant_kind, &out);
  }
  if (answered) strings("withheld_fields", r.withheld_fields);
  out += '}';
  return out;
}

}  // namespace haven::gateway
