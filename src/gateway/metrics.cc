#include "gateway/metrics.h"

#include <atomic>
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

// The shortest fixed-point text that reads back as `v`.
std::string Number(double v) {
  char buf[400];  // enough for any double in fixed notation
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, end);
}

}  // namespace

void Metrics::Histogram::Add(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++buckets[i];
  }
  ++count;
  sum += seconds;
}

void Metrics::Histogram::Merge(const Histogram& o) {
  for (size_t i = 0; i < kBuckets.size(); ++i) buckets[i] += o.buckets[i];
  count += o.count;
  sum += o.sum;
}

Metrics::Shard& Metrics::Mine() {
  // Threads take shards in turn as they first update any Metrics.
  static std::atomic<size_t> next{0};
  thread_local const size_t shard =
      next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shards_[shard];
}

void Metrics::CountRequest(const std::string& route, int status,
                           double seconds) {
  Shard& s = Mine();
  std::lock_guard<std::mutex> lock(s.mu);
  ++s.requests[{route, status}];
  s.requests_seconds.Add(seconds);
}

void Metrics::CountStoreQuery(const std::string& dataset, double seconds) {
  Shard& s = Mine();
  std::lock_guard<std::mutex> lock(s.mu);
  s.store_seconds[dataset].Add(seconds);
}

void Metrics::CountDecision(const std::string& agency,
                            const std::string& outcome) {
  Shard& s = Mine();
  std::lock_guard<std::mutex> lock(s.mu);
  ++s.decisions[{agency, outcome}];
}

std::string Metrics::Render(
    const std::vector<std::pair<std::string, double>>& gauges) const {
  // The shards' sum. Each shard is read under its lock; an update to another
  // shard meanwhile shows at the next scrape.
  std::map<std::pair<std::string, int>, uint64_t> requests;
  std::map<std::pair<std::string, std::string>, uint64_t> decisions;
  Histogram requests_seconds;
  std::map<std::string, Histogram> store_seconds;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    for (const auto& [key, n] : s.requests) requests[key] += n;
    for (const auto& [key, n] : s.decisions) decisions[key] += n;
    requests_seconds.Merge(s.requests_seconds);
    for (const auto& [dataset, h] : s.store_seconds)
      store_seconds[dataset].Merge(h);
  }
  std::string out;
  out += "# HELP haven_requests_total API requests answered.\n";
  out += "# TYPE haven_requests_total counter\n";
  for (const auto& [key, n] : requests) {
    out += "haven_requests_total{route=\"" + Label(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP haven_decisions_total Cedar decisions on queries.\n";
  out += "# TYPE haven_decisions_total counter\n";
  for (const auto& [key, n] : decisions) {
    out += "haven_decisions_total{agency=\"" + Label(key.first) +
           "\",decision=\"" + Label(key.second) + "\"} " + std::to_string(n) +
           "\n";
  }
  auto histogram = [&out](const std::string& name, const std::string& labels,
                          const Histogram& h) {
    std::string sep = labels.empty() ? "" : ",";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += name + "_bucket{" + labels + sep + "le=\"" + Number(kBuckets[i]) +
             "\"} " + std::to_string(h.buckets[i]) + "\n";
    }
    out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += name + "_sum" + braces + " " + Number(h.sum) + "\n";
    out += name + "_count" + braces + " " + std::to_string(h.count) + "\n";
  };
  out += "# HELP haven_request_duration_seconds From arrival to answer.\n";
  out += "# TYPE haven_request_duration_seconds histogram\n";
  histogram("haven_request_duration_seconds", "", requests_seconds);
  out += "# HELP haven_store_query_seconds Time inside the records store.\n";
  out += "# TYPE haven_store_query_seconds histogram\n";
  for (const auto& [dataset, h] : store_seconds) {
    histogram("haven_store_query_seconds", "dataset=\"" + Label(dataset) + "\"",
              h);
  }
  for (const auto& [name, value] : gauges) {
    out += "# TYPE " + name + " gauge\n" + name + " " + Number(value) + "\n";
  }
  return out;
}

}  // namespace haven::gateway
