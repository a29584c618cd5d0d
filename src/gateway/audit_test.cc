#include "gateway/audit.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <random>

#include "base/canonical_json.h"

namespace haven::gateway {
namespace {

TEST(EncodeAuditRecord, WritesSortedKeysWithoutWhitespace) {
  AuditRecord r;
  r.time_ms = 1795791845123;  // 2026-11-27T15:04:05.123Z
  r.user = "fbi.agent";
  r.agency = "DCFBIWA00";
  r.credential = "tok_0123456789abcdef";
  r.client = "127.0.0.1";
  r.method = "POST";
  r.path = "/v1/search";
  r.dataset = "persons";
  r.filter = {{"last_name", "LOPEZ"}};
  r.purpose = "criminal-investigation";
  r.case_number = "FBI-1";
  r.reason = "bank robbery";
  r.status = 200;
  r.decision = "allow";
  r.policies = {"criminal-justice-partners"};
  r.result_count = 2;
  r.results_digest = ResultsDigest({"persons/P2", "persons/P1"});
  r.withheld_fields = {"place_of_birth", "nationality"};
  std::string e = EncodeAuditRecord(r);
  EXPECT_EQ(
      e,
      R"({"agency":"DCFBIWA00","case_number":"FBI-1","client":"127.0.0.1",)"
      R"("credential":"tok_0123456789abcdef","dataset":"persons","decision":"allow",)"
      R"("filter":{"last_name":"LOPEZ"},"kind":"access","method":"POST",)"
      R"("path":"/v1/search","policies":["criminal-justice-partners"],)"
      R"("purpose":"criminal-investigation","reason":"bank robbery",)"
      R"("result_count":2,"results_digest":")" +
          ResultsDigest({"persons/P1", "persons/P2"}) +
          R"(","status":200,"time":"2026-11-27T15:04:05.123Z",)"
          R"("user":"fbi.agent","v":1,)"
          R"("withheld_fields":["place_of_birth","nationality"]})");
}

TEST(EncodeAuditRecord, KeepsA401WithoutAUser) {
  AuditRecord r;
  r.time_ms = 0;
  r.client = "::1";
  r.method = "POST";
  r.path = "/v1/search";
  r.status = 401;
  r.error = "unauthenticated";
  r.credential = "tok_revoked";
  EXPECT_EQ(EncodeAuditRecord(r),
            R"({"client":"::1","credential":"tok_revoked",)"
            R"("error":"unauthenticated","kind":"access","method":"POST",)"
            R"("path":"/v1/search","status":401,)"
            R"("time":"1970-01-01T00:00:00.000Z","v":1})");
}

// The direct writer against the reference: CanonicalJson of the parsed
// entry must give back the same bytes, for every field and awkward strings.
TEST(EncodeAuditRecord, IsCanonicalJson) {
  AuditRecord r;
  r.time_ms = 1795791845123;
  r.user = "u\"ser";
  r.agency = "A\\B";
  r.credential = "tok_1";
  r.client = "::1";
  r.method = "GET";
  r.path = "/v1/records/persons/\xc3\xa9\x01";
  r.dataset = "persons";
  r.filter = {{"z", "\t"}, {"a", "\x7f"}, {"B", "\xf0\x9f\x98\x80"}};
  r.record_id = "P\n1";
  r.purpose = "warrant-service";
  r.case_number = "C/1";
  r.reason = "assist ICE\r";
  r.flags = {"immigration-terms"};
  r.warrant_kind = "administrative";
  r.status = 200;
  r.error = "";
  r.decision = "allow";
  r.policies = {"a", "error:b"};
  r.flagged = true;
  r.result_count = 3;
  r.results_digest = ResultsDigest({"x"});
  r.withheld_fields = {"nationality"};
  for (int variant = 0; variant < 4; ++variant) {
    AuditRecord v = r;
    if (variant == 1) {
      v.status = 403;
      v.decision = "deny";
      v.error = "forbidden";
    } else if (variant == 2) {
      v = AuditRecord{};
      v.status = 401;
    } else if (variant == 3) {
      v.warrant_kind.reset();
      v.flags.clear();
      v.filter.clear();
      v.flagged = false;
    }
    std::string e = EncodeAuditRecord(v);
    EXPECT_EQ(CanonicalJson(boost::json::parse(e)), e) << "variant " << variant;
  }
}

TEST(ResultsDigest, IsOrderFreeAndEmptyForNone) {
  EXPECT_EQ(ResultsDigest({}), "");
  EXPECT_EQ(ResultsDigest({"a", "b"}), ResultsDigest({"b", "a"}));
  EXPECT_NE(ResultsDigest({"a", "b"}), ResultsDigest({"a"}));
  // "a\nb\n": an independent value (sha256sum of printf 'a\nb\n').
  EXPECT_EQ(ResultsDigest({"b", "a"}),
            "sha256:"
            "911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2");
}

TEST(FormatTimeMs, WritesRfc3339Utc) {
  EXPECT_EQ(FormatTimeMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimeMs(951782400001), "2000-02-29T00:00:00.001Z");
  EXPECT_EQ(FormatTimeMs(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimeMs(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimeMs(253402300800000), "253402300800000ms");
}

// The calendar arithmetic agrees with the C library's gmtime_r over four
// centuries of random instants (leap years, century rules, negative times).
TEST(FormatTimeMs, AgreesWithGmtime) {
  std::mt19937_64 rng(20261128);
  std::uniform_int_distribution<int64_t> ms(-62135596800000,   // 0001-01-01
                                            253402300799999);  // 9999-12-31
  for (int i = 0; i < 100000; ++i) {
    int64_t t = i < 1000 ? (i - 500) * 86400000LL + i : ms(rng);
    int64_t secs = t >= 0 ? t / 1000 : -((-t + 999) / 1000);
    std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&tt, &tm), nullptr);
    char want[64];
    std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, static_cast<int>(t - secs * 1000));
    ASSERT_EQ(FormatTimeMs(t), want) << t;
  }
}

}  // namespace
}  // namespace haven::gateway
