#include "gateway/audit.h"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "base/canonical_json.h"

namespace haven::gateway {
namespace {

boost::json::array Strings(const std::vector<std::string>& v) {
  boost::json::array a;
  a.reserve(v.size());
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

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
  char buf[40];
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

std::string ResultsDigest(std::vector<std::string> ids) {
  if (ids.empty()) return "";
  std::sort(ids.begin(), ids.end());
  std::string joined;
  for (const std::string& id : ids) {
    joined += id;
    joined += '\n';
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(joined.data(), joined.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    unsigned char c = md[i];
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string EncodeAuditRecord(const AuditRecord& r) {
  boost::json::object o;
  o["v"] = 1;
  o["kind"] = "access";
  o["time"] = FormatTimeMs(r.time_ms);
  o["status"] = r.status;
  auto put = [&o](std::string_view key, const std::string& value) {
    if (!value.empty()) o[key] = value;
  };
  put("user", r.user);
  put("agency", r.agency);
  put("credential", r.credential);
  put("client", r.client);
  put("method", r.method);
  put("path", r.path);
  put("dataset", r.dataset);
  if (!r.filter.empty()) {
    boost::json::object f;
    for (const auto& [k, v] : r.filter) f[k] = v;
    o["filter"] = std::move(f);
  }
  put("record_id", r.record_id);
  put("purpose", r.purpose);
  put("case_number", r.case_number);
  put("reason", r.reason);
  if (!r.flags.empty()) o["flags"] = Strings(r.flags);
  if (r.warrant_kind) o["warrant_kind"] = *r.warrant_kind;
  put("error", r.error);
  put("decision", r.decision);
  if (!r.decision.empty()) o["policies"] = Strings(r.policies);
  if (r.flagged) o["flagged"] = true;
  if (r.decision == "allow" && r.status == 200) {
    o["result_count"] = r.result_count;
    put("results_digest", r.results_digest);
    o["withheld_fields"] = Strings(r.withheld_fields);
  }
  return CanonicalJson(o);
}

}  // namespace haven::gateway
