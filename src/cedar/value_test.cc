#include "cedar/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace haven::cedar {
namespace {

TEST(Value, SetsAreSortedAndFreeOfDuplicates) {
  Value a = Value::Set({Value::Long(3), Value::Long(1), Value::Long(3)});
  Value b = Value::Set({Value::Long(1), Value::Long(3)});
  EXPECT_EQ(a.AsSet().size(), 2u);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(a.Contains(Value::Long(3)));
  EXPECT_FALSE(a.Contains(Value::Long(2)));
  EXPECT_FALSE(a.Contains(Value::String("3")));
}

TEST(Value, ValuesOfDifferentKindsAreUnequal) {
  EXPECT_NE(Value::Long(1), Value::Bool(true));
  EXPECT_NE(Value::Long(10000), Value::Decimal(10000));
  EXPECT_NE(Value::Datetime(5), Value::Duration(5));
}

TEST(Value, RecordsCompareByContentNotOrder) {
  Value a = Value::Record({{"b", Value::Long(2)}, {"a", Value::Long(1)}});
  Value b = Value::Record({{"a", Value::Long(1)}, {"b", Value::Long(2)}});
  EXPECT_EQ(a, b);
  ASSERT_NE(a.Find("b"), nullptr);
  EXPECT_EQ(*a.Find("b"), Value::Long(2));
  EXPECT_EQ(a.Find("c"), nullptr);
  EXPECT_NE(a, Value::Record({{"a", Value::Long(1)}}));
}

TEST(Value, EntitiesCompareByTypeAndId) {
  EXPECT_EQ(Value::Entity({"User", "alice"}), Value::Entity({"User", "alice"}));
  EXPECT_NE(Value::Entity({"User", "alice"}),
            Value::Entity({"Group", "alice"}));
  EXPECT_EQ(Value::Entity({"NS::User", "a\"b"}).ToCedar(),
            "NS::User::\"a\\\"b\"");
}

TEST(Value, NestedSetsOfRecordsAreCanonical) {
  Value r1 = Value::Record({{"x", Value::Long(1)}});
  Value r2 = Value::Record({{"x", Value::Long(2)}});
  EXPECT_EQ(Value::Set({r1, r2, r1}), Value::Set({r2, r1}));
}

TEST(Value, PrintsExtensionValuesAsCedarCalls) {
  EXPECT_EQ(Value::Decimal(-125000).ToCedar(), "decimal(\"-12.5000\")");
  EXPECT_EQ(DecimalToString(std::numeric_limits<int64_t>::min()),
            "-922337203685477.5808");
  EXPECT_EQ(DurationToString(90061001), "1d1h1m1s1ms");
  EXPECT_EQ(DurationToString(-1000), "-1s");
  EXPECT_EQ(Value::Datetime(0).ToCedar(),
            "datetime(\"1970-01-01T00:00:00.000Z\")");
  EXPECT_EQ(DatetimeToIso(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(DatetimeToIso(253402300800000), "");  // year 10000
  EXPECT_EQ(Value::Datetime(-62167219200001).ToCedar(),
            "datetime(\"1970-01-01\").offset(duration(\"-719528d1ms\"))");
  EXPECT_EQ(Value::Datetime(-1).ToCedar(),
            "datetime(\"1969-12-31T23:59:59.999Z\")");
  IpAddr v6;
  v6.v6 = true;
  v6.prefix = 128;
  v6.bytes[15] = 1;
  EXPECT_EQ(IpToString(v6), "::1/128");
  IpAddr v4;
  v4.bytes = {10, 0, 0, 1};
  v4.prefix = 8;
  EXPECT_EQ(IpToString(v4), "10.0.0.1/8");
}

TEST(Value, QuotesControlCharactersAsCedarEscapes) {
  EXPECT_EQ(QuoteString("a\nb\t\"\\"), "\"a\\nb\\t\\\"\\\\\"");
  EXPECT_EQ(QuoteString(std::string("\x01", 1)), "\"\\u{1}\"");
}

TEST(Value, BytesEqualAgreesWithMemcmpAtEveryLength) {
  std::string a(70, 'a');
  for (size_t n = 0; n <= a.size(); ++n) {
    std::string x = a.substr(0, n);
    EXPECT_TRUE(BytesEqual(x.data(), a.data(), n));
    EXPECT_TRUE(StringsEqual(x, a.substr(0, n)));
    for (size_t at = 0; at < n; ++at) {
      std::string y = x;
      y[at] = 'b';
      EXPECT_FALSE(BytesEqual(x.data(), y.data(), n)) << n << " " << at;
      EXPECT_FALSE(StringsEqual(x, y));
    }
    if (n > 0) {
      EXPECT_FALSE(StringsEqual(x, a.substr(0, n - 1)));
    }
  }
}

TEST(Value, EntityUidHashSeparatesTypeFromId) {
  EntityUidHash h;
  EXPECT_EQ(h(EntityUid{"User", "alice"}), h(EntityUid{"User", "alice"}));
  EXPECT_NE(h(EntityUid{"User", "alice"}), h(EntityUid{"Usera", "lice"}));
  EXPECT_NE(h(EntityUid{"User", ""}), h(EntityUid{"", "User"}));
  EXPECT_NE(h(EntityUid{"A", "b"}), h(EntityUid{"A", "c"}));
  // Every length path of HashBytes (0, 1-3, 4-7, 8-16, longer) sees every
  // byte: flipping any one changes the hash.
  std::string s(40, 'q');
  for (size_t n = 0; n <= s.size(); ++n) {
    std::string x = s.substr(0, n);
    uint64_t base = HashBytes(x.data(), x.size(), 7);
    EXPECT_NE(base, HashBytes(x.data(), x.size(), 8));
    for (size_t at = 0; at < n; ++at) {
      std::string y = x;
      y[at] = 'r';
      EXPECT_NE(base, HashBytes(y.data(), y.size(), 7)) << n << " " << at;
    }
  }
}

}  // namespace
}  // namespace haven::cedar
