#include "cedar/extensions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace haven::cedar {
namespace {

int64_t Dec(std::string_view s) {
  Result<Value> v = ParseDecimal(s);
  EXPECT_TRUE(v.ok()) << s << ": " << (v.ok() ? "" : v.error().message());
  return v.ok() ? v->AsLong() : 0;
}

IpAddr Ip(std::string_view s) {
  Result<Value> v = ParseIp(s);
  EXPECT_TRUE(v.ok()) << s << ": " << (v.ok() ? "" : v.error().message());
  return v.ok() ? v->AsIp() : IpAddr{};
}

int64_t Dt(std::string_view s) {
  Result<Value> v = ParseDatetime(s);
  EXPECT_TRUE(v.ok()) << s << ": " << (v.ok() ? "" : v.error().message());
  return v.ok() ? v->AsLong() : 0;
}

int64_t Dur(std::string_view s) {
  Result<Value> v = ParseDuration(s);
  EXPECT_TRUE(v.ok()) << s << ": " << (v.ok() ? "" : v.error().message());
  return v.ok() ? v->AsLong() : 0;
}

Value Call(std::string_view name, std::vector<Value> args) {
  Result<Value> v = CallExtension(name, args);
  EXPECT_TRUE(v.ok()) << name << ": " << (v.ok() ? "" : v.error().message());
  return v.ok() ? *v : Value();
}

bool CallFails(std::string_view name, std::vector<Value> args) {
  return !CallExtension(name, args).ok();
}

TEST(Decimal, ParsesUpToFourFractionalDigits) {
  EXPECT_EQ(Dec("1.0"), 10000);
  EXPECT_EQ(Dec("-1.05"), -10500);
  EXPECT_EQ(Dec("123.4567"), 1234567);
  EXPECT_EQ(Dec("0000000000000000000000001.0"), 10000);
  EXPECT_EQ(Dec("922337203685477.5807"), INT64_MAX);
  EXPECT_EQ(Dec("-922337203685477.5808"), INT64_MIN);
}

TEST(Decimal, KeepsTheSignOfNegativeZeroIntegerPart) {
  // The reference (4.13) reads "-0.5" as -0.5, not 0.5.
  EXPECT_EQ(Dec("-0.5"), -5000);
  EXPECT_EQ(Dec("-0.0"), 0);
}

TEST(Decimal, RejectsMalformedAndOutOfRangeText) {
  for (const char* s :
       {"1", "1.", ".5", "+1.0", "1.23456", "1.0 ", " 1.0", "1,0", "--1.0",
        "1.-0", "922337203685477.5808", "-922337203685477.5809",
        "99999999999999999999.0", "\xd9\xa1.0", "", "-", "-.5", "1..0"}) {
    EXPECT_FALSE(ParseDecimal(s).ok()) << s;
  }
}

TEST(Decimal, ComparisonMethodsNeedTwoDecimals) {
  Value a = Value::Decimal(10000), b = Value::Decimal(20000);
  EXPECT_TRUE(Call("lessThan", {a, b}).AsBool());
  EXPECT_FALSE(Call("lessThan", {a, a}).AsBool());
  EXPECT_TRUE(Call("lessThanOrEqual", {a, a}).AsBool());
  EXPECT_TRUE(Call("greaterThan", {b, a}).AsBool());
  EXPECT_TRUE(Call("greaterThanOrEqual", {b, b}).AsBool());
  EXPECT_FALSE(Call("greaterThanOrEqual", {a, b}).AsBool());
  EXPECT_TRUE(CallFails("lessThan", {a, Value::Long(1)}));
  EXPECT_TRUE(CallFails("lessThan", {Value::Datetime(1), Value::Datetime(2)}));
  EXPECT_TRUE(CallFails("lessThan", {a}));
}

TEST(Ip, ParsesIpv4WithAndWithoutPrefix) {
  IpAddr a = Ip("10.1.2.3");
  EXPECT_FALSE(a.v6);
  EXPECT_EQ(a.prefix, 32);
  EXPECT_EQ(a.bytes[0], 10);
  EXPECT_EQ(a.bytes[3], 3);
  EXPECT_EQ(a.bytes[4], 0);
  EXPECT_EQ(Ip("10.0.0.0/8").prefix, 8);
  EXPECT_EQ(Ip("0.0.0.0/0").prefix, 0);
  // The address is kept as written, not masked.
  EXPECT_EQ(Ip("10.0.0.1/8").bytes[3], 1);
}

TEST(Ip, ParsesIpv6Forms) {
  IpAddr a = Ip("::1");
  EXPECT_TRUE(a.v6);
  EXPECT_EQ(a.prefix, 128);
  EXPECT_EQ(a.bytes[15], 1);
  EXPECT_EQ(Ip("FFFF::").bytes[0], 0xff);
  EXPECT_EQ(Ip("0001::").bytes[1], 1);
  EXPECT_EQ(Ip("1:2:3:4:5:6:7::").bytes[13], 7);
  EXPECT_EQ(Ip("::1:2:3:4:5:6:7").bytes[3], 1);
  EXPECT_EQ(Ip("1:2:3:4:5:6:7:8").bytes[15], 8);
  EXPECT_EQ(Ip("::/128").prefix, 128);
  EXPECT_EQ(Ip("::").prefix, 128);
}

TEST(Ip, RejectsWhatTheReferenceRejects) {
  for (const char* s : {"",
                        "01.2.3.4",
                        "1.2.3.04",
                        "1.2.3",
                        "256.1.1.1",
                        "1.2.3.4:80",
                        " 1.2.3.4",
                        "1.2.3.4 ",
                        "1.2.3.4/33",
                        "1.2.3.4/",
                        "1.2.3.4/08",
                        "1.2.3.4/032",
                        "1.2.3.4/ 8",
                        "1.2.3.4/+8",
                        "1.2.3.4/1a",
                        "1.2.3.4/8/8",
                        "/8",
                        "::ffff:1.2.3.4",
                        "::1.2",
                        "1:2::3.4",
                        "1::2:3:4:5:6:7:8",
                        "00001::",
                        "1::2::3",
                        ":1::2",
                        "1:2:3:4:5:6:7:8::",
                        "::1:2:3:4:5:6:7:8",
                        "::/129",
                        "::/0128",
                        "::/00",
                        "::/099",
                        "a:b",
                        "1.2.3.4%1",
                        "::1%eth0",
                        "１.2.3.4"}) {
    EXPECT_FALSE(ParseIp(s).ok()) << s;
  }
}

TEST(Ip, ClassifiesAddresses) {
  auto ip = [](const char* s) { return Value::Ip(Ip(s)); };
  EXPECT_TRUE(Call("isIpv4", {ip("1.2.3.4")}).AsBool());
  EXPECT_FALSE(Call("isIpv6", {ip("1.2.3.4")}).AsBool());
  EXPECT_TRUE(Call("isIpv6", {ip("::")}).AsBool());
  EXPECT_TRUE(Call("isLoopback", {ip("127.0.0.1/8")}).AsBool());
  EXPECT_FALSE(Call("isLoopback", {ip("127.0.0.1/7")}).AsBool());
  EXPECT_TRUE(Call("isLoopback", {ip("::1")}).AsBool());
  EXPECT_FALSE(Call("isLoopback", {ip("::1/127")}).AsBool());
  EXPECT_FALSE(Call("isLoopback", {ip("::ffff:7f00:1")}).AsBool());
  EXPECT_TRUE(Call("isMulticast", {ip("224.0.0.1/4")}).AsBool());
  EXPECT_FALSE(Call("isMulticast", {ip("224.0.0.0/3")}).AsBool());
  EXPECT_TRUE(Call("isMulticast", {ip("239.255.255.255")}).AsBool());
  EXPECT_TRUE(Call("isMulticast", {ip("ff00::/8")}).AsBool());
  EXPECT_FALSE(Call("isMulticast", {ip("ff00::1/7")}).AsBool());
  EXPECT_TRUE(CallFails("isIpv4", {Value::String("1.2.3.4")}));
}

TEST(Ip, IsInRangeComparesNetworks) {
  auto in = [](const char* a, const char* b) {
    return Call("isInRange", {Value::Ip(Ip(a)), Value::Ip(Ip(b))}).AsBool();
  };
  EXPECT_TRUE(in("10.1.2.3", "10.0.0.0/8"));
  EXPECT_FALSE(in("11.1.2.3", "10.0.0.0/8"));
  EXPECT_TRUE(in("10.0.0.0/8", "10.0.0.0/7"));
  EXPECT_FALSE(in("10.0.0.0/7", "10.0.0.0/8"));
  EXPECT_TRUE(in("1.2.3.4/8", "1.2.3.4/8"));
  EXPECT_TRUE(in("1.2.3.4", "0.0.0.0/0"));
  EXPECT_FALSE(in("1.2.3.4", "::/0"));
  EXPECT_TRUE(in("2001:db8::1", "2001:db8::/32"));
  EXPECT_FALSE(in("2001:db9::1", "2001:db8::/32"));
  EXPECT_TRUE(in("::", "::/0"));
}

TEST(Datetime, ParsesDatesTimesMillisecondsAndOffsets) {
  EXPECT_EQ(Dt("1970-01-01"), 0);
  EXPECT_EQ(Dt("1970-01-02"), 86400000);
  EXPECT_EQ(Dt("1969-12-31"), -86400000);
  EXPECT_EQ(Dt("2024-10-15T11:38:02Z"), 1728992282000);
  EXPECT_EQ(Dt("2024-10-15T11:38:02.101Z"), 1728992282101);
  EXPECT_EQ(Dt("2024-10-15T11:38:02.101+1134"), Dt("2024-10-15T00:04:02.101Z"));
  EXPECT_EQ(Dt("2024-10-15T11:38:02-1134"), Dt("2024-10-15T23:12:02Z"));
  EXPECT_EQ(Dt("2024-02-29T23:59:59.999+2359"), Dt("2024-02-29T00:00:59.999Z"));
  EXPECT_EQ(Dt("0000-01-01"), -62167219200000);
  EXPECT_EQ(Dt("9999-12-31T23:59:59.999Z"), 253402300799999);
}

TEST(Datetime, RejectsWhatTheReferenceRejects) {
  for (const char* s : {"",
                        "a",
                        "-",
                        "-1",
                        "11-12-13",
                        "1111-1x-20",
                        "2024-10-15Z",
                        "2024-10-15T11:38:02ZZ",
                        "0000-0a-01",
                        "10000-01-01",
                        "2024-00-01",
                        "2024-01-00",
                        "2024-02-30",
                        "2025-02-29",
                        "2024-13-01",
                        "2024-04-31",
                        "2024-01-01T",
                        "2024-01-01T01:02",
                        "2024-01-01T01:02:0b",
                        "2024-01-01T31:02:03Z",
                        "2024-01-01T01:60:03Z",
                        "2016-12-31T23:59:60Z",
                        "2024-01-01T24:00:00Z",
                        "2024-01-01T00:00:00",
                        "2024-01-01T00:00:00.1Z",
                        "2024-01-01T00:00:00.1234Z",
                        "2024-01-01T00:00:00+2400",
                        "2024-01-01T00:00:00+0060",
                        "2024-01-01T00:00:00+01",
                        "2024-01-01 00:00:00Z",
                        "1900-02-29"}) {
    EXPECT_FALSE(ParseDatetime(s).ok()) << s;
  }
}

TEST(Duration, ParsesUnitsInOrder) {
  EXPECT_EQ(Dur("0ms"), 0);
  EXPECT_EQ(Dur("-0ms"), 0);
  EXPECT_EQ(Dur("1d2h3m4s5ms"), 93784005);
  EXPECT_EQ(Dur("1m1ms"), 60001);
  EXPECT_EQ(Dur("-1d2h"), -93600000);
  EXPECT_EQ(Dur("0001ms"), 1);
  EXPECT_EQ(Dur("-9223372036854775808ms"), INT64_MIN);
  EXPECT_EQ(Dur("9223372036854775807ms"), INT64_MAX);
}

TEST(Duration, RejectsBadPatternsAndOverflow) {
  for (const char* s :
       {"", "-", "1", "1d1d", "1h1d", "1s1m", "1D", "1d-2h", "d", "1.5h", " 1h",
        "1h ", "+1h", "9223372036854775808ms", "-9223372036854775809ms",
        "106751991168d", "99999999999999999999ms", "1ms1ms", "1msh"}) {
    EXPECT_FALSE(ParseDuration(s).ok()) << s;
  }
}

TEST(Datetime, MethodsComputeAndCheckOverflow) {
  Value epoch = Value::Datetime(0);
  EXPECT_EQ(Call("offset", {epoch, Value::Duration(3600000)}).AsLong(),
            3600000);
  EXPECT_TRUE(
      CallFails("offset", {Value::Datetime(INT64_MIN), Value::Duration(-1)}));
  EXPECT_EQ(Call("durationSince", {epoch, Value::Datetime(1000)}).kind(),
            Value::Kind::kDuration);
  EXPECT_EQ(Call("durationSince", {epoch, Value::Datetime(1000)}).AsLong(),
            -1000);
  EXPECT_TRUE(CallFails("durationSince",
                        {Value::Datetime(INT64_MIN), Value::Datetime(1)}));
  int64_t t = Dt("1969-12-31T23:00:00Z");
  EXPECT_EQ(Call("toTime", {Value::Datetime(t)}).AsLong(), 23 * 3600000);
  EXPECT_EQ(Call("toDate", {Value::Datetime(t)}).AsLong(), Dt("1969-12-31"));
  EXPECT_EQ(
      Call("toDate", {Value::Datetime(Dt("2024-10-15T11:38:02Z"))}).AsLong(),
      Dt("2024-10-15"));
  EXPECT_TRUE(CallFails("toDate", {Value::Datetime(INT64_MIN)}));
  EXPECT_TRUE(CallFails("offset", {epoch, epoch}));
  EXPECT_TRUE(CallFails("toDate", {Value::Duration(1)}));
}

TEST(Duration, ConversionsTruncateTowardZero) {
  Value d = Value::Duration(-1999);
  EXPECT_EQ(Call("toMilliseconds", {d}).AsLong(), -1999);
  EXPECT_EQ(Call("toSeconds", {d}).AsLong(), -1);
  EXPECT_EQ(Call("toSeconds", {Value::Duration(1)}).AsLong(), 0);
  Value day = Value::Duration(Dur("1d23h59m59s999ms"));
  EXPECT_EQ(Call("toDays", {day}).AsLong(), 1);
  EXPECT_EQ(Call("toHours", {day}).AsLong(), 47);
  EXPECT_EQ(Call("toMinutes", {day}).AsLong(), 47 * 60 + 59);
  EXPECT_TRUE(CallFails("toDays", {Value::Long(1)}));
}

TEST(Extensions, ConstructorsNeedOneString) {
  EXPECT_TRUE(CallFails("decimal", {Value::Long(1)}));
  EXPECT_TRUE(CallFails("ip", {}));
  EXPECT_TRUE(
      CallFails("datetime", {Value::String("2024-01-01"), Value::Long(1)}));
  EXPECT_EQ(Call("duration", {Value::String("1h")}).AsLong(), 3600000);
  EXPECT_TRUE(CallFails("nosuchfn", {}));
}

TEST(Extensions, KnowsNamesAndArities) {
  EXPECT_EQ(ExtensionArity("decimal"), 1);
  EXPECT_EQ(ExtensionArity("isInRange"), 2);
  EXPECT_EQ(ExtensionArity("toDays"), 1);
  EXPECT_EQ(ExtensionArity("nope"), -1);
  EXPECT_TRUE(IsExtensionConstructor("ip"));
  EXPECT_TRUE(IsExtensionConstructor("duration"));
  EXPECT_FALSE(IsExtensionConstructor("offset"));
  EXPECT_EQ(FindExtension("durationSince"), ExtensionFn::kDurationSince);
  EXPECT_EQ(FindExtension("DurationSince"), ExtensionFn::kUnknown);
}

}  // namespace
}  // namespace haven::cedar

namespace haven::cedar {
namespace {

TEST(Extensions, EveryFunctionIsFoundByNameAndCalledById) {
  const char* names[] = {"decimal",       "ip",
                         "datetime",      "duration",
                         "lessThan",      "lessThanOrEqual",
                         "greaterThan",   "greaterThanOrEqual",
                         "isIpv4",        "isIpv6",
                         "isLoopback",    "isMulticast",
                         "isInRange",     "offset",
                         "durationSince", "toDate",
                         "toTime",        "toMilliseconds",
                         "toSeconds",     "toMinutes",
                         "toHours",       "toDays"};
  for (const char* name : names) {
    ExtensionFn fn = FindExtension(name);
    ASSERT_NE(fn, ExtensionFn::kUnknown) << name;
    // A call with no arguments names the function in its arity error.
    Result<Value> r = CallExtension(fn, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find(name), std::string::npos) << name;
  }
}

// The fast path for boolean functions agrees with CallExtension, and leaves
// every wrong call to it.
TEST(Extensions, TryBoolExtensionAgreesWithCallExtension) {
  Value net = *ParseIp("10.0.0.0/8"), v4 = *ParseIp("10.1.2.3"),
        lo = *ParseIp("127.0.0.1"), v6 = *ParseIp("::1"),
        mc = *ParseIp("224.0.0.1"), d1 = *ParseDecimal("1.5"),
        d2 = *ParseDecimal("-2.25"), n = Value::Long(1);
  std::vector<Value> vals = {net, v4, lo, v6, mc, d1, d2, n};
  const char* fns[] = {"isIpv4",
                       "isIpv6",
                       "isLoopback",
                       "isMulticast",
                       "isInRange",
                       "lessThan",
                       "lessThanOrEqual",
                       "greaterThan",
                       "greaterThanOrEqual",
                       "ip",
                       "offset"};
  int fast = 0;
  for (const char* name : fns) {
    ExtensionFn fn = FindExtension(name);
    ASSERT_NE(fn, ExtensionFn::kUnknown) << name;
    for (size_t count = 0; count <= 2; ++count) {
      size_t combos = count == 0   ? 1
                      : count == 1 ? vals.size()
                                   : vals.size() * vals.size();
      for (size_t c = 0; c < combos; ++c) {
        std::vector<Value> args;
        if (count >= 1) args.push_back(vals[c % vals.size()]);
        if (count == 2) args.push_back(vals[c / vals.size()]);
        std::vector<const Value*> ptrs;
        for (const Value& a : args) ptrs.push_back(&a);
        bool b = false;
        bool took = TryBoolExtension(fn, ptrs, &b);
        Result<Value> r = CallExtension(fn, args);
        if (took) {
          ++fast;
          ASSERT_TRUE(r.ok()) << name;
          ASSERT_EQ(r->kind(), Value::Kind::kBool) << name;
          EXPECT_EQ(r->AsBool(), b) << name << " " << c;
        } else if (r.ok()) {
          // Declined a call that works: only for non-boolean functions.
          EXPECT_NE(r->kind(), Value::Kind::kBool) << name;
        }
      }
    }
  }
  EXPECT_GT(fast, 40);
}

}  // namespace
}  // namespace haven::cedar
