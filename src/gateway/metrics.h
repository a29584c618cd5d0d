// Metrics: the gateway's counters, rendered in the Prometheus text format
// (version 0.0.4) for GET /metrics.
//
//   metrics.CountRequest("search", 200, 0.0012);
//   metrics.CountDecision("DCFBIWA00", "allow");
//   std::string text = metrics.Render({{"haven_ledger_size", 1234}});
//
// Thread-safe. Updates come from every worker and from the ledger's
// completion thread for every request, so each thread writes to one of
// kShards shards, each with its own mutex, and Render sums the shards: an
// update takes an uncontended lock and a few map operations.
#ifndef HAVEN_GATEWAY_METRICS_H_
#define HAVEN_GATEWAY_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace haven::gateway {

class Metrics {
 public:
  // One answered request: its route ("search", "record", "entries",
  // "other"), HTTP status and seconds from arrival to answer.
  void CountRequest(const std::string& route, int status, double seconds);
  // One Cedar decision on a query: the requester's agency and "allow",
  // "deny".
  void CountDecision(const std::string& agency, const std::string& outcome);

  // One records-store query (search or get) on `dataset`, in seconds: the
  // time spent inside the store, for the plate-lookup latency goal.
  void CountStoreQuery(const std::string& dataset, double seconds);

  // The text exposition, with `gauges` (name, value) appended.
  std::string Render(
      const std::vector<std::pair<std::string, double>>& gauges) const;

  // Upper bounds of the latency histogram, in seconds.
  static constexpr std::array<double, 12> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
    void Add(double seconds);
    void Merge(const Histogram& o);
  };
  struct alignas(64) Shard {
    mutable std::mutex mu;
    std::map<std::pair<std::string, int>, uint64_t> requests;
    std::map<std::pair<std::string, std::string>, uint64_t> decisions;
    Histogram requests_seconds;
    std::map<std::string, Histogram> store_seconds;
  };
  static constexpr size_t kShards = 8;
  // The calling thread's shard.
  Shard& Mine();

  std::array<Shard, kShards> shards_;
};

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_METRICS_H_
