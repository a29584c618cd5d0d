// Cedar's extension functions. The parsing rules follow the reference
// implementation (cedar-policy-core src/extensions/{decimal,ipaddr,
// datetime}.rs) as shipped in cedar-wasm 4.13.0; the accepted inputs were
// checked against it case by case (see extensions_test.cc).

#include "cedar/extensions.h"

#include <cstring>
#include <iterator>
#include <string>

namespace haven::cedar {
namespace {

constexpr int64_t kDayMs = 86400000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Error ExtError(std::string_view ext, std::string msg) {
  return Error("error while evaluating `" + std::string(ext) +
               "` extension function: " + std::move(msg));
}

Error TypeError(std::string_view expected, const Value& got) {
  return Error("type error: expected " + std::string(expected) + ", got " +
               Value::KindName(got.kind()));
}

// Parses an optionally signed run of ASCII digits into an i64, as Rust's
// i64::from_str does (leading zeros allowed). False on overflow.
bool ParseI64(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    int d = c - '0';
    if (__builtin_mul_overflow(v, 10, &v)) return false;
    if (neg ? __builtin_sub_overflow(v, d, &v)
            : __builtin_add_overflow(v, d, &v))
      return false;
  }
  *out = v;
  return true;
}

// ---------------------------------------------------------------- decimal

Result<Value> ParseDecimalImpl(std::string_view text) {
  // ^(-?\d+)\.(\d+)$ ; \d in the reference also matches non-ASCII digits,
  // which then fail to convert, so both reject them.
  std::string quoted = "`" + std::string(text) + "`";
  size_t dot = text.find('.');
  std::string_view l = text.substr(0, dot);
  bool neg = !l.empty() && l[0] == '-';
  std::string_view ldigits = neg ? l.substr(1) : l;
  auto all_digits = [](std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
      if (!IsDigit(c)) return false;
    return true;
  };
  if (dot == std::string_view::npos || !all_digits(ldigits) ||
      !all_digits(text.substr(dot + 1))) {
    return ExtError("decimal", quoted + " is not a well-formed decimal value");
  }
  std::string_view r = text.substr(dot + 1);
  int64_t lv;
  if (!ParseI64(l, &lv) || __builtin_mul_overflow(lv, 10000, &lv))
    return ExtError("decimal", "overflow when converting to decimal");
  if (r.size() > 4)
    return ExtError("decimal",
                    "too many digits after the decimal in " + quoted);
  int64_t rv = 0;
  for (char c : r) rv = rv * 10 + (c - '0');
  for (size_t i = r.size(); i < 4; ++i) rv *= 10;
  int64_t v;
  if (neg ? __builtin_sub_overflow(lv, rv, &v)
          : __builtin_add_overflow(lv, rv, &v))
    return ExtError("decimal", "overflow when converting to decimal");
  return Value::Decimal(v);
}

// ---------------------------------------------------------------- ipaddr

// Rust's Ipv4Addr parser: four decimal octets, 1-3 digits, no leading zero,
// at most 255.
bool ParseIpv4(std::string_view s, IpAddr* out) {
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= s.size() || s[pos] != '.') return false;
      ++pos;
    }
    size_t start = pos;
    int v = 0;
    while (pos < s.size() && IsDigit(s[pos])) {
      v = v * 10 + (s[pos] - '0');
      ++pos;
      if (pos - start > 3) return false;
    }
    size_t n = pos - start;
    if (n == 0 || v > 255 || (n > 1 && s[start] == '0')) return false;
    out->bytes[i] = static_cast<uint8_t>(v);
  }
  return pos == s.size();
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads up to `limit` colon-separated groups of 1-4 hex digits starting at
// *pos; a separator not followed by a group is left unread (as Rust's
// read_atomically does). Returns the number of groups read.
int ReadGroups(std::string_view s, size_t* pos, uint16_t* groups, int limit) {
  int n = 0;
  for (; n < limit; ++n) {
    size_t p = *pos;
    if (n > 0) {
      if (p >= s.size() || s[p] != ':') break;
      ++p;
    }
    size_t start = p;
    uint32_t v = 0;
    bool too_long = false;
    while (p < s.size() && HexVal(s[p]) >= 0) {
      v = v * 16 + HexVal(s[p]);
      ++p;
      if (p - start > 4) {
        too_long = true;
        break;
      }
    }
    if (too_long || p == start) break;
    groups[n] = static_cast<uint16_t>(v);
    *pos = p;
  }
  return n;
}

// Rust's Ipv6Addr parser, without embedded IPv4 (Cedar rejects those).
bool ParseIpv6(std::string_view s, IpAddr* out) {
  uint16_t head[8] = {};
  size_t pos = 0;
  int head_n = ReadGroups(s, &pos, head, 8);
  uint16_t g[8] = {};
  if (head_n == 8) {
    if (pos != s.size()) return false;
    std::memcpy(g, head, sizeof(g));
  } else {
    if (s.substr(pos, 2) != "::") return false;
    pos += 2;
    uint16_t tail[7] = {};
    int tail_n = ReadGroups(s, &pos, tail, 8 - (head_n + 1));
    if (pos != s.size()) return false;
    for (int i = 0; i < head_n; ++i) g[i] = head[i];
    for (int i = 0; i < tail_n; ++i) g[8 - tail_n + i] = tail[i];
  }
  for (int i = 0; i < 8; ++i) {
    out->bytes[2 * i] = static_cast<uint8_t>(g[i] >> 8);
    out->bytes[2 * i + 1] = static_cast<uint8_t>(g[i] & 0xff);
  }
  return true;
}

bool ParseIpAddrOnly(std::string_view s, IpAddr* out) {
  IpAddr ip;
  if (ParseIpv4(s, &ip)) {
    ip.v6 = false;
    ip.prefix = 32;
  } else if (ParseIpv6(s, &ip)) {
    ip.v6 = true;
    ip.prefix = 128;
  } else {
    return false;
  }
  *out = ip;
  return true;
}

bool AtLeastTwo(std::string_view s, char c) {
  size_t i = s.find(c);
  return i != std::string_view::npos &&
         s.find(c, i + 1) != std::string_view::npos;
}

Result<Value> ParseIpImpl(std::string_view text) {
  if (AtLeastTwo(text, ':') && AtLeastTwo(text, '.')) {
    return ExtError("ipaddr",
                    "error parsing IP address from string: We do not accept "
                    "IPv4 embedded in IPv6 (e.g., ::ffff:127.0.0.1). Found: `" +
                        std::string(text) + "`");
  }
  IpAddr ip;
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (!ParseIpAddrOnly(text, &ip))
      return ExtError("ipaddr", "invalid IP address: " + std::string(text));
    return Value::Ip(ip);
  }
  std::string_view addr = text.substr(0, slash);
  std::string_view prefix = text.substr(slash + 1);
  if (!ParseIpAddrOnly(addr, &ip)) {
    return ExtError("ipaddr", "error parsing IP address from the string `" +
                                  std::string(addr) + "`");
  }
  const int limit = ip.v6 ? 128 : 32;
  const size_t max_len = ip.v6 ? 3 : 2;
  if (prefix.empty())
    return ExtError("ipaddr", "error parsing prefix from the string ``");
  if (prefix.size() > max_len) {
    return ExtError("ipaddr", "error parsing prefix: string length " +
                                  std::to_string(prefix.size()) +
                                  " is too large");
  }
  int v = 0;
  for (char c : prefix) {
    if (!IsDigit(c)) {
      return ExtError("ipaddr", "error parsing prefix `" + std::string(prefix) +
                                    "`: encountered non-digit");
    }
    v = v * 10 + (c - '0');
  }
  if (prefix.size() > 1 && prefix[0] == '0') {
    return ExtError("ipaddr", "error parsing prefix `" + std::string(prefix) +
                                  "`: leading zero(s)");
  }
  if (v > limit) {
    return ExtError("ipaddr", "error parsing prefix: " + std::to_string(v) +
                                  " is larger than the limit " +
                                  std::to_string(limit));
  }
  ip.prefix = static_cast<uint8_t>(v);
  return Value::Ip(ip);
}

using U128 = unsigned __int128;

U128 IpBits(const IpAddr& ip) {
  U128 v = 0;
  int n = ip.v6 ? 16 : 4;
  for (int i = 0; i < n; ++i) v = (v << 8) | ip.bytes[i];
  return v;
}

// The IPv4 case of IpInRange in 32-bit words (the common one).
inline bool Ip4InRange(const IpAddr& a, const IpAddr& b) {
  auto bits = [](const IpAddr& ip) {
    return (uint32_t{ip.bytes[0]} << 24) | (uint32_t{ip.bytes[1]} << 16) |
           (uint32_t{ip.bytes[2]} << 8) | uint32_t{ip.bytes[3]};
  };
  // The top p bits; prefix <= 32 for IPv4, and a 64-bit shift keeps /0
  // defined.
  auto netmask = [](int p) {
    return static_cast<uint32_t>(uint64_t{0xffffffffu} << (32 - p));
  };
  const uint32_t av = bits(a), bv = bits(b);
  const uint32_t am = netmask(a.prefix), bm = netmask(b.prefix);
  return (bv & bm) <= (av & am) && (av | ~am) <= (bv | ~bm);
}

bool IpInRange(const IpAddr& a, const IpAddr& b) {
  if (a.v6 != b.v6) return false;
  if (!a.v6) return Ip4InRange(a, b);
  const int width = a.v6 ? 128 : 32;
  const U128 all = a.v6 ? ~U128{0} : U128{0xffffffffu};
  auto netmask = [&](int p) -> U128 {
    return p == 0 ? U128{0} : (all << (width - p)) & all;
  };
  U128 av = IpBits(a), bv = IpBits(b);
  U128 a_net = av & netmask(a.prefix), b_net = bv & netmask(b.prefix);
  U128 a_bc = av | (~netmask(a.prefix) & all);
  U128 b_bc = bv | (~netmask(b.prefix) & all);
  return b_net <= a_net && a_bc <= b_bc;
}

bool IpIsLoopback(const IpAddr& ip) {
  if (!ip.v6) return ip.bytes[0] == 127 && ip.prefix >= 8;
  for (int i = 0; i < 15; ++i)
    if (ip.bytes[i] != 0) return false;
  return ip.bytes[15] == 1 && ip.prefix >= 128;
}

bool IpIsMulticast(const IpAddr& ip) {
  if (!ip.v6) return (ip.bytes[0] & 0xf0) == 0xe0 && ip.prefix >= 4;
  return ip.bytes[0] == 0xff && ip.prefix >= 8;
}

// ---------------------------------------------------------------- datetime

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool ValidDate(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

// n ASCII digits at s[pos..]; -1 if not all digits.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[pos + i])) return -1;
    v = v * 10 + (s[pos + i] - '0');
  }
  return v;
}

Result<Value> ParseDatetimeImpl(std::string_view s) {
  auto err = [](std::string msg) {
    return ExtError("datetime", std::move(msg));
  };
  // ^([0-9]{4})-([0-9]{2})-([0-9]{2})
  int y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || s[4] != '-' || s[7] != '-')
    return err("invalid date pattern");
  int h = 0, mi = 0, sec = 0, ms = 0, off_sec = 0;
  if (s.size() > 10) {
    // ^T([0-9]{2}):([0-9]{2}):([0-9]{2})
    h = Digits(s, 11, 2);
    mi = Digits(s, 14, 2);
    sec = Digits(s, 17, 2);
    if (s[10] != 'T' || h < 0 || mi < 0 || sec < 0 || s[13] != ':' ||
        s[16] != ':')
      return err("invalid hour/minute/second pattern");
    // ^(\.([0-9]{3}))?(Z|((\+|-)([0-9]{2})([0-9]{2})))$
    std::string_view rest = s.substr(19);
    if (!rest.empty() && rest[0] == '.') {
      ms = Digits(rest, 1, 3);
      if (ms < 0) return err("invalid millisecond and/or offset pattern");
      rest.remove_prefix(4);
    }
    if (rest == "Z") {
      off_sec = 0;
    } else if (rest.size() == 5 && (rest[0] == '+' || rest[0] == '-') &&
               Digits(rest, 1, 4) >= 0) {
      int oh = Digits(rest, 1, 2), om = Digits(rest, 3, 2);
      if (!ValidDate(y, mo, d)) return err("invalid date");
      if (h >= 24 || mi >= 60 || sec >= 60)
        return err("invalid hour/minute/second");
      if (oh >= 24 || om >= 60) return err("invalid offset range");
      off_sec = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
    } else {
      return err("invalid millisecond and/or offset pattern");
    }
  }
  if (!ValidDate(y, mo, d)) return err("invalid date");
  if (h >= 24 || mi >= 60 || sec >= 60)
    return err("invalid hour/minute/second");
  int64_t days = DaysFromCivil(y, mo, d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - off_sec;
  return Value::Datetime(secs * 1000 + ms);
}

Result<Value> ParseDurationImpl(std::string_view s) {
  auto invalid = [] {
    return ExtError("duration", "invalid duration pattern");
  };
  auto overflow = [] {
    return ExtError("duration", "Duration overflows internal representation");
  };
  if (s.empty() || s == "-") return invalid();
  const bool neg = s[0] == '-';
  size_t pos = neg ? 1 : 0;
  // Units in the only order the pattern allows: d, h, m, s, ms.
  uint64_t amount[5] = {0, 0, 0, 0, 0};
  bool bad_number = false;
  int next_unit = 0;
  while (pos < s.size()) {
    size_t start = pos;
    uint64_t v = 0;
    bool over = false;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (__builtin_mul_overflow(v, 10, &v) ||
          __builtin_add_overflow(v, static_cast<uint64_t>(s[pos] - '0'), &v))
        over = true;
      ++pos;
    }
    if (pos == start || pos == s.size()) return invalid();
    int unit;
    if (s[pos] == 'd') {
      unit = 0;
    } else if (s[pos] == 'h') {
      unit = 1;
    } else if (s[pos] == 'm') {
      if (pos + 1 < s.size() && s[pos + 1] == 's') {
        unit = 4;
        ++pos;
      } else {
        unit = 2;
      }
    } else if (s[pos] == 's') {
      unit = 3;
    } else {
      return invalid();
    }
    ++pos;
    if (unit < next_unit) return invalid();
    next_unit = unit + 1;
    amount[unit] = v;
    if (over) bad_number = true;
  }
  if (bad_number) return overflow();
  int64_t total;
  __int128 ms = static_cast<__int128>(amount[4]);
  if (neg) ms = -ms;
  if (ms > INT64_MAX || ms < INT64_MIN) return overflow();
  total = static_cast<int64_t>(ms);
  const int64_t mul[4] = {kDayMs, 3600000, 60000, 1000};
  for (int unit = 3; unit >= 0; --unit) {
    if (amount[unit] > static_cast<uint64_t>(INT64_MAX)) return overflow();
    int64_t part;
    if (__builtin_mul_overflow(static_cast<int64_t>(amount[unit]), mul[unit],
                               &part))
      return overflow();
    if (neg ? __builtin_sub_overflow(total, part, &total)
            : __builtin_add_overflow(total, part, &total))
      return overflow();
  }
  return Value::Duration(total);
}

// ---------------------------------------------------------------- dispatch

struct FnInfo {
  std::string_view name;
  ExtensionFn fn;
  int arity;
  bool constructor;
};

constexpr FnInfo kFns[] = {
    {"decimal", ExtensionFn::kDecimal, 1, true},
    {"ip", ExtensionFn::kIp, 1, true},
    {"datetime", ExtensionFn::kDatetime, 1, true},
    {"duration", ExtensionFn::kDuration, 1, true},
    {"lessThan", ExtensionFn::kLessThan, 2, false},
    {"lessThanOrEqual", ExtensionFn::kLessThanOrEqual, 2, false},
    {"greaterThan", ExtensionFn::kGreaterThan, 2, false},
    {"greaterThanOrEqual", ExtensionFn::kGreaterThanOrEqual, 2, false},
    {"isIpv4", ExtensionFn::kIsIpv4, 1, false},
    {"isIpv6", ExtensionFn::kIsIpv6, 1, false},
    {"isLoopback", ExtensionFn::kIsLoopback, 1, false},
    {"isMulticast", ExtensionFn::kIsMulticast, 1, false},
    {"isInRange", ExtensionFn::kIsInRange, 2, false},
    {"offset", ExtensionFn::kOffset, 2, false},
    {"durationSince", ExtensionFn::kDurationSince, 2, false},
    {"toDate", ExtensionFn::kToDate, 1, false},
    {"toTime", ExtensionFn::kToTime, 1, false},
    {"toMilliseconds", ExtensionFn::kToMilliseconds, 1, false},
    {"toSeconds", ExtensionFn::kToSeconds, 1, false},
    {"toMinutes", ExtensionFn::kToMinutes, 1, false},
    {"toHours", ExtensionFn::kToHours, 1, false},
    {"toDays", ExtensionFn::kToDays, 1, false},
};

constexpr bool FnsInEnumOrder() {
  for (size_t i = 0; i < std::size(kFns); ++i)
    if (static_cast<size_t>(kFns[i].fn) !=
        i + static_cast<size_t>(ExtensionFn::kDecimal))
      return false;
  return true;
}
static_assert(FnsInEnumOrder(), "kFns must follow the order of ExtensionFn");

const FnInfo* Info(std::string_view name) {
  for (const FnInfo& f : kFns)
    if (f.name == name) return &f;
  return nullptr;
}

// kFns lists the functions in the order of ExtensionFn, from kDecimal.
const FnInfo& Info(ExtensionFn fn) {
  return kFns[static_cast<int>(fn) - static_cast<int>(ExtensionFn::kDecimal)];
}

// Type check of an extension argument; `what` is the Cedar type name.
bool Want(const Value& v, Value::Kind k, const char* what, Error* err) {
  if (v.kind() == k) return true;
  *err = TypeError(what, v);
  return false;
}

}  // namespace

Result<Value> ParseDecimal(std::string_view text) {
  return ParseDecimalImpl(text);
}
Result<Value> ParseIp(std::string_view text) { return ParseIpImpl(text); }
Result<Value> ParseDatetime(std::string_view text) {
  return ParseDatetimeImpl(text);
}
Result<Value> ParseDuration(std::string_view text) {
  return ParseDurationImpl(text);
}

int ExtensionArity(std::string_view name) {
  const FnInfo* f = Info(name);
  return f ? f->arity : -1;
}

bool IsExtensionConstructor(std::string_view name) {
  const FnInfo* f = Info(name);
  return f && f->constructor;
}

ExtensionFn FindExtension(std::string_view name) {
  const FnInfo* f = Info(name);
  return f ? f->fn : ExtensionFn::kUnknown;
}

Result<Value> CallExtension(std::string_view name,
                            std::span<const Value> args) {
  ExtensionFn fn = FindExtension(name);
  if (fn == ExtensionFn::kUnknown)
    return Error("unknown extension function `" + std::string(name) + "`");
  return CallExtension(fn, args);
}

Result<Value> CallExtension(ExtensionFn fn, std::span<const Value> args) {
  const FnInfo& info = Info(fn);
  if (fn == ExtensionFn::kUnknown) return Error("unknown extension function");
  if (static_cast<int>(args.size()) != info.arity) {
    return Error("wrong number of arguments to `" + std::string(info.name) +
                 "`: expected " + std::to_string(info.arity) + ", got " +
                 std::to_string(args.size()));
  }
  Error err;
  using K = Value::Kind;
  switch (fn) {
    case ExtensionFn::kDecimal:
    case ExtensionFn::kIp:
    case ExtensionFn::kDatetime:
    case ExtensionFn::kDuration: {
      if (!Want(args[0], K::kString, "string", &err)) return err;
      const std::string_view s = args[0].AsString();
      if (fn == ExtensionFn::kDecimal) return ParseDecimalImpl(s);
      if (fn == ExtensionFn::kIp) return ParseIpImpl(s);
      if (fn == ExtensionFn::kDatetime) return ParseDatetimeImpl(s);
      return ParseDurationImpl(s);
    }
    case ExtensionFn::kLessThan:
    case ExtensionFn::kLessThanOrEqual:
    case ExtensionFn::kGreaterThan:
    case ExtensionFn::kGreaterThanOrEqual: {
      if (!Want(args[0], K::kDecimal, "decimal", &err) ||
          !Want(args[1], K::kDecimal, "decimal", &err))
        return err;
      int64_t a = args[0].AsLong(), b = args[1].AsLong();
      bool r = fn == ExtensionFn::kLessThan          ? a < b
               : fn == ExtensionFn::kLessThanOrEqual ? a <= b
               : fn == ExtensionFn::kGreaterThan     ? a > b
                                                     : a >= b;
      return Value::Bool(r);
    }
    case ExtensionFn::kIsIpv4:
    case ExtensionFn::kIsIpv6:
    case ExtensionFn::kIsLoopback:
    case ExtensionFn::kIsMulticast: {
      if (!Want(args[0], K::kIpAddr, "ipaddr", &err)) return err;
      const IpAddr& ip = args[0].AsIp();
      if (fn == ExtensionFn::kIsIpv4) return Value::Bool(!ip.v6);
      if (fn == ExtensionFn::kIsIpv6) return Value::Bool(ip.v6);
      if (fn == ExtensionFn::kIsLoopback) return Value::Bool(IpIsLoopback(ip));
      return Value::Bool(IpIsMulticast(ip));
    }
    case ExtensionFn::kIsInRange:
      if (!Want(args[0], K::kIpAddr, "ipaddr", &err) ||
          !Want(args[1], K::kIpAddr, "ipaddr", &err))
        return err;
      return Value::Bool(IpInRange(args[0].AsIp(), args[1].AsIp()));
    case ExtensionFn::kOffset: {
      if (!Want(args[0], K::kDatetime, "datetime", &err) ||
          !Want(args[1], K::kDuration, "duration", &err))
        return err;
      int64_t r;
      if (__builtin_add_overflow(args[0].AsLong(), args[1].AsLong(), &r))
        return ExtError("offset", "overflows when adding an offset");
      return Value::Datetime(r);
    }
    case ExtensionFn::kDurationSince: {
      if (!Want(args[0], K::kDatetime, "datetime", &err) ||
          !Want(args[1], K::kDatetime, "datetime", &err))
        return err;
      int64_t r;
      if (__builtin_sub_overflow(args[0].AsLong(), args[1].AsLong(), &r))
        return ExtError("durationSince",
                        "overflows when computing the duration");
      return Value::Duration(r);
    }
    case ExtensionFn::kToDate: {
      if (!Want(args[0], K::kDatetime, "datetime", &err)) return err;
      int64_t e = args[0].AsLong();
      int64_t rem = e % kDayMs;
      if (rem < 0) rem += kDayMs;
      int64_t r;
      if (__builtin_sub_overflow(e, rem, &r))
        return ExtError("toDate", "overflows when computing the date");
      return Value::Datetime(r);
    }
    case ExtensionFn::kToTime: {
      if (!Want(args[0], K::kDatetime, "datetime", &err)) return err;
      int64_t rem = args[0].AsLong() % kDayMs;
      if (rem < 0) rem += kDayMs;
      return Value::Duration(rem);
    }
    case ExtensionFn::kToMilliseconds:
    case ExtensionFn::kToSeconds:
    case ExtensionFn::kToMinutes:
    case ExtensionFn::kToHours:
    case ExtensionFn::kToDays: {
      if (!Want(args[0], K::kDuration, "duration", &err)) return err;
      int64_t ms = args[0].AsLong();
      // Successive truncating divisions, as the reference does.
      if (fn == ExtensionFn::kToMilliseconds) return Value::Long(ms);
      int64_t s = ms / 1000;
      if (fn == ExtensionFn::kToSeconds) return Value::Long(s);
      int64_t m = s / 60;
      if (fn == ExtensionFn::kToMinutes) return Value::Long(m);
      int64_t h = m / 60;
      if (fn == ExtensionFn::kToHours) return Value::Long(h);
      return Value::Long(h / 24);
    }
    case ExtensionFn::kUnknown:
      break;
  }
  return Error("unknown extension function");
}

bool TryBoolExtension(ExtensionFn fn, std::span<const Value* const> args,
                      bool* result) {
  using K = Value::Kind;
  switch (fn) {
    case ExtensionFn::kIsIpv4:
    case ExtensionFn::kIsIpv6:
    case ExtensionFn::kIsLoopback:
    case ExtensionFn::kIsMulticast: {
      if (args.size() != 1 || args[0]->kind() != K::kIpAddr) return false;
      const IpAddr& ip = args[0]->AsIp();
      *result = fn == ExtensionFn::kIsIpv4       ? !ip.v6
                : fn == ExtensionFn::kIsIpv6     ? ip.v6
                : fn == ExtensionFn::kIsLoopback ? IpIsLoopback(ip)
                                                 : IpIsMulticast(ip);
      return true;
    }
    case ExtensionFn::kIsInRange:
      if (args.size() != 2 || args[0]->kind() != K::kIpAddr ||
          args[1]->kind() != K::kIpAddr)
        return false;
      *result = IpInRange(args[0]->AsIp(), args[1]->AsIp());
      return true;
    case ExtensionFn::kLessThan:
    case ExtensionFn::kLessThanOrEqual:
    case ExtensionFn::kGreaterThan:
    case ExtensionFn::kGreaterThanOrEqual: {
      if (args.size() != 2 || args[0]->kind() != K::kDecimal ||
          args[1]->kind() != K::kDecimal)
        return false;
      int64_t a = args[0]->AsLong(), b = args[1]->AsLong();
      *result = fn == ExtensionFn::kLessThan          ? a < b
                : fn == ExtensionFn::kLessThanOrEqual ? a <= b
                : fn == ExtensionFn::kGreaterThan     ? a > b
                                                      : a >= b;
      return true;
    }
    default:
      return false;
  }
}

}  // namespace haven::cedar
