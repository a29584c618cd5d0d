#include "base/canonical_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace haven {
namespace {

TEST(CanonicalJson, SortsKeysAtEveryDepth) {
  boost::json::value v = boost::json::parse(
      R"({"b": 1, "a": {"z": [3, {"y": null, "x": true}], "c": "s"}})");
  EXPECT_EQ(CanonicalJson(v),
            R"({"a":{"c":"s","z":[3,{"x":true,"y":null}]},"b":1})");
}

TEST(CanonicalJson, SortsByBytesNotByLocale) {
  boost::json::object o;
  o["a"] = 1;
  o["B"] = 2;
  o["\xc3\xa9"] = 3;  // é sorts after every ASCII key
  EXPECT_EQ(CanonicalJson(o), "{\"B\":2,\"a\":1,\"\xc3\xa9\":3}");
}

TEST(CanonicalJson, EscapesControlCharacters) {
  boost::json::object o;
  o["k"] = std::string("a\"b\n\x01", 5);
  EXPECT_EQ(CanonicalJson(o), R"({"k":"a\"b\n\u0001"})");
}

TEST(CanonicalJson, KeepsIntegersExact) {
  boost::json::object o;
  o["max"] = INT64_MAX;
  o["min"] = INT64_MIN;
  EXPECT_EQ(CanonicalJson(o),
            R"({"max":9223372036854775807,"min":-9223372036854775808})");
}

}  // namespace
}  // namespace haven
