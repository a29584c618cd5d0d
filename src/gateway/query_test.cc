#include "gateway/query.h"

#include <gtest/gtest.h>

namespace haven::gateway {
namespace {

std::optional<ApiError> Parse(std::string_view body, SearchQuery* q) {
  return ParseSearchBody(body, q);
}

constexpr char kGood[] =
    R"({"dataset":"persons","filter":{"last_name":"Lopez","first_name":"Maria"},)"
    R"("purpose":"criminal-investigation","case_number":"JB-241133",)"
    R"("reason":"robbery","limit":25})";

TEST(ParseSearchBody, AcceptsAWellFormedSearch) {
  SearchQuery q;
  ASSERT_FALSE(Parse(kGood, &q));
  EXPECT_EQ(q.dataset, records::Dataset::kPersons);
  EXPECT_EQ(q.filter.at("last_name"), "Lopez");
  EXPECT_EQ(q.why.purpose, "criminal-investigation");
  EXPECT_EQ(q.why.case_number, "JB-241133");
  EXPECT_EQ(q.why.reason, "robbery");
  EXPECT_EQ(q.limit, 25);
  EXPECT_FALSE(q.why.warrant);
}

TEST(ParseSearchBody, RefusesDuplicateKeysAtAnyLevel) {
  SearchQuery q;
  auto e = Parse(R"({"dataset":"persons","dataset":"warrants"})", &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "duplicate_key");
  EXPECT_NE(e->message.find("\"dataset\""), std::string::npos);
  e = Parse(R"({"dataset":"vehicles","filter":{"plate":"A","plate":"B"},)"
            R"("purpose":"officer-safety","case_number":"1"})",
            &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "duplicate_key");
  EXPECT_NE(e->message.find("/filter"), std::string::npos);
}

TEST(ParseSearchBody, RefusesUnknownFieldsNamingThem) {
  SearchQuery q;
  auto e = Parse(R"({"dataset":"persons","agency":"ICE"})", &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 400);
  EXPECT_EQ(e->code, "unknown_field");
  EXPECT_NE(e->message.find("\"agency\""), std::string::npos);
}

TEST(ParseSearchBody, RefusesWrongTypesSayingWhere) {
  SearchQuery q;
  auto e = Parse(
      R"({"dataset":"persons","filter":{"last_name":7},"purpose":"x"})", &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "wrong_type");
  EXPECT_NE(e->message.find("/filter/last_name"), std::string::npos);
  e = Parse(R"({"dataset":"persons","limit":"10"})", &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "wrong_type");
  e = Parse(R"(["dataset"])", &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "wrong_type");
}

TEST(ParseSearchBody, RefusesMalformedJson) {
  SearchQuery q;
  for (const char* body : {"", "{", "{\"dataset\":}", "nul", "{}x"}) {
    auto e = Parse(body, &q);
    ASSERT_TRUE(e) << body;
    EXPECT_EQ(e->code, "invalid_json") << body;
  }
}

TEST(ParseSearchBody, NeedsAPurposeAndACaseNumber) {
  SearchQuery q;
  auto e = Parse(
      R"({"dataset":"persons","filter":{"last_name":"A"},"case_number":"1"})",
      &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "missing_field");
  EXPECT_NE(e->message.find("purpose"), std::string::npos);
  e = Parse(R"({"dataset":"persons","filter":{"last_name":"A"},)"
            R"("purpose":"officer-safety"})",
            &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "missing_field");
  EXPECT_NE(e->message.find("case_number"), std::string::npos);
  e = Parse(R"({"dataset":"persons","filter":{"last_name":"A"},)"
            R"("purpose":"officer-safety","case_number":""})",
            &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "missing_field");
}

TEST(ParseSearchBody, AcceptsCivilImmigrationSoThePoliciesCanRefuseIt) {
  SearchQuery q;
  EXPECT_FALSE(Parse(R"({"dataset":"persons","filter":{"last_name":"A"},)"
                     R"("purpose":"civil-immigration","case_number":"1"})",
                     &q));
  auto e = Parse(R"({"dataset":"persons","filter":{"last_name":"A"},)"
                 R"("purpose":"curiosity","case_number":"1"})",
                 &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "invalid_value");
}

TEST(ParseSearchBody, ChecksTheFilterAgainstTheDataset) {
  SearchQuery q;
  auto e = Parse(R"({"dataset":"vehicles","filter":{"color":"RED"},)"
                 R"("purpose":"officer-safety","case_number":"1"})",
                 &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "invalid_filter");
  EXPECT_NE(e->message.find("color"), std::string::npos);
}

TEST(ParseSearchBody, ReadsAWarrant) {
  SearchQuery q;
  ASSERT_FALSE(Parse(
      R"({"dataset":"warrants","filter":{"last_name":"A"},)"
      R"("purpose":"warrant-service","case_number":"1","warrant":)"
      R"({"kind":"judicial","court":"Cook County","judge":"J. Doe","number":"W-1"}})",
      &q));
  ASSERT_TRUE(q.why.warrant);
  EXPECT_EQ(q.why.warrant->kind, "judicial");
  EXPECT_EQ(q.why.warrant->number, "W-1");
  auto e = Parse(
      R"({"dataset":"warrants","filter":{"last_name":"A"},)"
      R"("purpose":"warrant-service","case_number":"1","warrant":{"kind":"x","seal":"y"}})",
      &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "unknown_field");
}

TEST(ParseSearchBody, BoundsTheLimit) {
  SearchQuery q;
  for (const char* limit : {"0", "501", "-1"}) {
    std::string body =
        R"({"dataset":"persons","filter":{"last_name":"A"},)"
        R"("purpose":"officer-safety","case_number":"1","limit":)" +
        std::string(limit) + "}";
    auto e = Parse(body, &q);
    ASSERT_TRUE(e) << limit;
    EXPECT_EQ(e->code, "invalid_value");
  }
}

TEST(ParseJustificationParams, DecodesAndChecks) {
  Justification j;
  ASSERT_FALSE(ParseJustificationParams(
      "purpose=warrant-service&case_number=JB%2D1&reason=serve+warrant&"
      "warrant_kind=judicial&warrant_court=Cook",
      &j));
  EXPECT_EQ(j.purpose, "warrant-service");
  EXPECT_EQ(j.case_number, "JB-1");
  EXPECT_EQ(j.reason, "serve warrant");
  ASSERT_TRUE(j.warrant);
  EXPECT_EQ(j.warrant->court, "Cook");
}

TEST(ParseJustificationParams, RefusesDuplicatesUnknownsAndBadEncoding) {
  Justification j;
  auto e = ParseJustificationParams(
      "purpose=officer-safety&purpose=civil-immigration&case_number=1", &j);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "duplicate_key");
  e = ParseJustificationParams("purpose=officer-safety&case_number=1&x=1", &j);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "unknown_field");
  e = ParseJustificationParams("purpose=officer%2&case_number=1", &j);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "bad_request");
  e = ParseJustificationParams("purpose=officer-safety", &j);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "missing_field");
}

}  // namespace
}  // namespace haven::gateway
