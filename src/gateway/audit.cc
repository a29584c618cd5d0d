#include "gateway/audit.h"

#include <algorithm>
#include <chrono>

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
  // Calendar arithmetic (std::chrono's civil-from-days) rather than
  // gmtime_r, which takes glibc's time-zone lock: every worker writes one of
  // these per request.
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(unix_ms)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) {  // not an RFC 3339 year; never a clock's reading
    return std::to_string(unix_ms) + "ms";
  }
  int64_t ms_of_day = (t - day).count();
  char buf[25] = "0000-00-00T00:00:00.000Z";
  auto put = [&buf](int at, int width, int64_t v) {
    for (int i = at + width - 1; i >= at; --i, v /= 10) {
      buf[i] = static_cast<char>('0' + v % 10);
    }
  };
  put(0, 4, y);
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, ms_of_day / 3600000);
  put(14, 2, ms_of_day / 60000 % 60);
  put(17, 2, ms_of_day / 1000 % 60);
  put(20, 3, ms_of_day % 1000);
  return std::string(buf, 24);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ResultsDigest(std::vector<std::string_view> ids) {
  if (ids.empty()) return "";
  std::sort(ids.begin(), ids.end());
  size_t size = 0;
  for (std::string_view id : ids) size += id.size() + 1;
  std::string joined;
  joined.reserve(size);
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
  // Keys are plain ASCII names: no escaping to do.
  auto key = [&](std::string_view k) {
    out += sep;
    sep = ',';
    out += '"';
    out += k;
    out += "\":";
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
