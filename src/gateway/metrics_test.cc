#include "gateway/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace haven::gateway {
namespace {

TEST(Metrics, RendersPrometheusText) {
  Metrics m;
  m.CountRequest("search", 200, 0.0007);
  m.CountRequest("search", 200, 0.2);
  m.CountRequest("search", 403, 0.0001);
  m.CountDecision("DCICE0000", "deny");
  std::string text = m.Render({{"haven_ledger_size", 42}});
  EXPECT_NE(
      text.find("haven_requests_total{route=\"search\",status=\"200\"} 2\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("haven_requests_total{route=\"search\",status=\"403\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "haven_decisions_total{agency=\"DCICE0000\",decision=\"deny\"} 1\n"),
      std::string::npos);
  // Cumulative buckets: 0.0001 and 0.0007 are under 1 ms; all three under 0.25.
  EXPECT_NE(
      text.find("haven_request_duration_seconds_bucket{le=\"0.001\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("haven_request_duration_seconds_bucket{le=\"0.25\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("haven_request_duration_seconds_count 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE haven_ledger_size gauge\nhaven_ledger_size 42\n"),
            std::string::npos);
}

TEST(Metrics, KeepsAStoreLatencyHistogramPerDataset) {
  Metrics m;
  m.CountStoreQuery("plate_reads", 0.0004);
  m.CountStoreQuery("plate_reads", 0.003);
  std::string text = m.Render({});
  EXPECT_NE(
      text.find("haven_store_query_seconds_bucket{dataset=\"plate_reads\","
                "le=\"0.0005\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("haven_store_query_seconds_count{dataset=\"plate_reads\"} 2\n"),
      std::string::npos);
}

TEST(Metrics, EscapesLabelValues) {
  Metrics m;
  m.CountDecision("a\"b\\c\nd", "allow");
  EXPECT_NE(m.Render({}).find("agency=\"a\\\"b\\\\c\\nd\""), std::string::npos);
}

// Updates from many threads land in different shards; the rendered text
// is their exact sum.
TEST(Metrics, CountsFromManyThreadsAddUp) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 1000; ++i) {
        m.CountRequest("search", 200, 0.0004);
        m.CountDecision(t % 2 ? "A" : "B", "allow");
        m.CountStoreQuery("plate_reads", 0.002);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::string text = m.Render({});
  EXPECT_NE(
      text.find(
          "haven_requests_total{route=\"search\",status=\"200\"} 12000\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("haven_decisions_total{agency=\"A\",decision=\"allow\"} "
                      "6000\n"),
            std::string::npos);
  EXPECT_NE(text.find("haven_decisions_total{agency=\"B\",decision=\"allow\"} "
                      "6000\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("haven_request_duration_seconds_bucket{le=\"0.0005\"} 12000\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("haven_store_query_seconds_bucket{dataset=\"plate_reads\","
                "le=\"0.001\"} 0\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("haven_store_query_seconds_count{dataset=\"plate_reads\"} "
                "12000\n"),
      std::string::npos);
  // Each series once, however many shards hold it.
  size_t first = text.find("haven_requests_total{route=\"search\"");
  EXPECT_EQ(text.find("haven_requests_total{route=\"search\"", first + 1),
            std::string::npos);
}

}  // namespace
}  // namespace haven::gateway
