#include "gateway/metrics.h"

#include <charconv>

namespace haven::gateway {
namespace {

// Label values escape \, " and newline (Prometheus text format).
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The shortest text that reads back as `v`.
std::string Number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace

void Metrics::CountRequest(const std::string& route, int status,
                           double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++buckets_[i];
  }
  ++count_;
  sum_ += seconds;
}

void Metrics::CountDecision(const std::string& agency,
                            const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++decisions_[{agency, outcome}];
}

std::string Metrics::Render(
    const std::vector<std::pair<std::string, double>>& gauges) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP haven_requests_total API requests answered.\n";
  out += "# TYPE haven_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += "haven_requests_total{route=\"" + Label(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP haven_decisions_total Cedar decisions on queries.\n";
  out += "# TYPE haven_decisions_total counter\n";
  for (const auto& [key, n] : decisions_) {
    out += "haven_decisions_total{agency=\"" + Label(key.first) +
           "\",decision=\"" + Label(key.second) + "\"} " + std::to_string(n) +
           "\n";
  }
  out += "# HELP haven_request_duration_seconds From arrival to answer.\n";
  out += "# TYPE haven_request_duration_seconds histogram\n";
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    out += "haven_request_duration_seconds_bucket{le=\"" + Number(kBuckets[i]) +
           "\"} " + std::to_string(buckets_[i]) + "\n";
  }
  out += "haven_request_duration_seconds_bucket{le=\"+Inf\"} " +
         std::to_string(count_) + "\n";
  out += "haven_request_duration_seconds_sum " + Number(sum_) + "\n";
  out +=
      "haven_request_duration_seconds_count " + std::to_string(count_) + "\n";
  for (const auto& [name, value] : gauges) {
    out += "# TYPE " + name + " gauge\n" + name + " " + Number(value) + "\n";
  }
  return out;
}

}  // namespace haven::gateway
