#include "cedar/value.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace haven::cedar {

namespace {

int CompareInt(int64_t a, int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace

std::string DatetimeToIso(int64_t ms) {
  // Floor division so that times before the epoch print correctly.
  int64_t days = ms / 86400000;
  int64_t rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    days -= 1;
  }
  int64_t y;
  unsigned mo, d;
  CivilFromDays(days, &y, &mo, &d);
  if (y < 0 || y > 9999) return "";
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%03dZ", y, mo, d,
      static_cast<int>(rem / 3600000), static_cast<int>(rem / 60000 % 60),
      static_cast<int>(rem / 1000 % 60), static_cast<int>(rem % 1000));
  return buf;
}

std::string QuoteString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[12];
          std::snprintf(buf, sizeof buf, "\\u{%x}", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string EntityUid::ToString() const {
  return type + "::" + QuoteString(id);
}

void Value::Release() {
  internal::HeapObj* h = Heap();
  if (h->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  switch (kind_) {
    case Kind::kString: {
      auto* str = static_cast<internal::HeapString*>(h);
      str->~HeapString();
      ::operator delete(str);
      break;
    }
    case Kind::kEntity:
      delete static_cast<internal::HeapEntity*>(h);
      break;
    case Kind::kSet:
      delete static_cast<internal::HeapSet*>(h);
      break;
    case Kind::kRecord:
      delete static_cast<internal::HeapRecord*>(h);
      break;
    default:
      break;
  }
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  const int64_t w = b ? 1 : 0;
  std::memcpy(v.raw_, &w, sizeof(w));
  return v;
}

Value Value::Long(int64_t n) {
  Value v;
  v.kind_ = Kind::kLong;
  std::memcpy(v.raw_, &n, sizeof(n));
  return v;
}

Value Value::String(std::string s) {
  Value v;
  if (s.size() <= kInline) {
    std::memcpy(v.raw_, s.data(), s.size());
    v.len_ = static_cast<uint8_t>(s.size());
    v.kind_ = Kind::kString;
    return v;
  }
  // One allocation: the count, the size, then the bytes.
  void* mem = ::operator new(sizeof(internal::HeapString) + s.size());
  auto* h = new (mem) internal::HeapString;
  h->size = static_cast<uint32_t>(s.size());
  std::memcpy(const_cast<char*>(h->data()), s.data(), s.size());
  v.SetHeap(h, Kind::kString);
  return v;
}

Value Value::Entity(EntityUid uid) {
  auto* h = new internal::HeapEntity;
  h->uid = std::move(uid);
  Value v;
  v.SetHeap(h, Kind::kEntity);
  return v;
}

Value Value::Set(std::vector<Value> elements) {
  std::sort(elements.begin(), elements.end(),
            [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
  elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
  auto* h = new internal::HeapSet;
  h->set = std::move(elements);
  Value v;
  v.SetHeap(h, Kind::kSet);
  return v;
}

Value Value::Record(std::vector<RecordField> fields) {
  // Stable sort keeps source order among equal keys; the last one wins.
  std::stable_sort(fields.begin(), fields.end(),
                   [](const RecordField& a, const RecordField& b) {
                     return a.first < b.first;
                   });
  auto* h = new internal::HeapRecord;
  std::vector<RecordField>& unique = h->record;
  unique.reserve(fields.size());
  for (auto& f : fields) {
    if (!unique.empty() && unique.back().first == f.first) {
      unique.back().second = std::move(f.second);
    } else {
      unique.push_back(std::move(f));
    }
  }
  Value v;
  v.SetHeap(h, Kind::kRecord);
  return v;
}

Value Value::Decimal(int64_t scaled) {
  Value v = Long(scaled);
  v.kind_ = Kind::kDecimal;
  return v;
}

Value Value::Ip(const IpAddr& ip) {
  static_assert(sizeof(IpAddr) <= kInline && alignof(IpAddr) == 1);
  Value v;
  v.kind_ = Kind::kIpAddr;
  new (v.raw_) IpAddr(ip);
  return v;
}

Value Value::Datetime(int64_t ms) {
  Value v = Long(ms);
  v.kind_ = Kind::kDatetime;
  return v;
}

Value Value::Duration(int64_t ms) {
  Value v = Long(ms);
  v.kind_ = Kind::kDuration;
  return v;
}

const Value* Value::Find(std::string_view key) const {
  const ValueRecord& r = AsRecord();
  // Records are small; a linear scan beats binary search below ~8 fields.
  if (r.size() <= 8) {
    for (const auto& f : r)
      if (f.first == key) return &f.second;
    return nullptr;
  }
  auto it = std::lower_bound(
      r.begin(), r.end(), key,
      [](const RecordField& f, std::string_view k) { return f.first < k; });
  return it != r.end() && it->first == key ? &it->second : nullptr;
}

bool Value::Contains(const Value& v) const {
  const ValueSet& s = AsSet();
  return std::binary_search(
      s.begin(), s.end(), v,
      [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case Value::Kind::kBool:
    case Value::Kind::kLong:
    case Value::Kind::kDecimal:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
      return a.Word() == b.Word();
    case Value::Kind::kIpAddr:
      return a.AsIp() == b.AsIp();
    case Value::Kind::kString:
      return a.AsString() == b.AsString();
    case Value::Kind::kEntity:
      return a.Heap() == b.Heap() || a.AsEntity() == b.AsEntity();
    case Value::Kind::kSet:
      return a.Heap() == b.Heap() || a.AsSet() == b.AsSet();
    case Value::Kind::kRecord:
      return a.Heap() == b.Heap() || a.AsRecord() == b.AsRecord();
  }
  return false;
}

int Value::Compare(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return a.kind_ < b.kind_ ? -1 : 1;
  switch (a.kind_) {
    case Kind::kBool:
    case Kind::kLong:
    case Kind::kDecimal:
    case Kind::kDatetime:
    case Kind::kDuration:
      return CompareInt(a.Word(), b.Word());
    case Kind::kIpAddr: {
      const IpAddr& x = a.AsIp();
      const IpAddr& y = b.AsIp();
      if (x.v6 != y.v6) return x.v6 ? 1 : -1;
      if (int c = std::memcmp(x.bytes.data(), y.bytes.data(), 16); c != 0)
        return c < 0 ? -1 : 1;
      return CompareInt(x.prefix, y.prefix);
    }
    case Kind::kString: {
      int c = a.AsString().compare(b.AsString());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kEntity: {
      const EntityUid& x = a.AsEntity();
      const EntityUid& y = b.AsEntity();
      if (x == y) return 0;
      return x < y ? -1 : 1;
    }
    case Kind::kSet: {
      const ValueSet& x = a.AsSet();
      const ValueSet& y = b.AsSet();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i)
        if (int c = Compare(x[i], y[i]); c != 0) return c;
      return CompareInt(static_cast<int64_t>(x.size()),
                        static_cast<int64_t>(y.size()));
    }
    case Kind::kRecord: {
      const ValueRecord& x = a.AsRecord();
      const ValueRecord& y = b.AsRecord();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        int c = x[i].first.compare(y[i].first);
        if (c != 0) return c < 0 ? -1 : 1;
        if ((c = Compare(x[i].second, y[i].second)) != 0) return c;
      }
      return CompareInt(static_cast<int64_t>(x.size()),
                        static_cast<int64_t>(y.size()));
    }
  }
  return 0;
}

const char* Value::KindName(Kind k) {
  switch (k) {
    case Kind::kBool:
      return "bool";
    case Kind::kLong:
      return "long";
    case Kind::kString:
      return "string";
    case Kind::kEntity:
      return "entity";
    case Kind::kSet:
      return "set";
    case Kind::kRecord:
      return "record";
    case Kind::kDecimal:
      return "decimal";
    case Kind::kIpAddr:
      return "ipaddr";
    case Kind::kDatetime:
      return "datetime";
    case Kind::kDuration:
      return "duration";
  }
  return "?";
}

std::string DecimalToString(int64_t scaled) {
  // Work in unsigned so that INT64_MIN prints correctly.
  bool neg = scaled < 0;
  uint64_t mag =
      neg ? ~static_cast<uint64_t>(scaled) + 1 : static_cast<uint64_t>(scaled);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%04" PRIu64, neg ? "-" : "",
                mag / 10000, mag % 10000);
  return buf;
}

std::string IpToString(const IpAddr& ip) {
  char buf[64];
  if (!ip.v6) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u/%u", ip.bytes[0], ip.bytes[1],
                  ip.bytes[2], ip.bytes[3], ip.prefix);
    return buf;
  }
  // RFC 5952: lowercase hex, the longest run (>= 2) of zero groups as "::".
  uint16_t g[8];
  for (int i = 0; i < 8; ++i)
    g[i] = (ip.bytes[2 * i] << 8) | ip.bytes[2 * i + 1];
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[i]);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "/%u", ip.prefix);
  return out + buf;
}

std::string DurationToString(int64_t ms) {
  if (ms == 0) return "0ms";
  std::string out;
  uint64_t mag =
      ms < 0 ? ~static_cast<uint64_t>(ms) + 1 : static_cast<uint64_t>(ms);
  if (ms < 0) out += '-';
  static constexpr struct {
    uint64_t unit;
    const char* suffix;
  } kUnits[] = {
      {86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& u : kUnits) {
    if (mag >= u.unit) {
      out += std::to_string(mag / u.unit) + u.suffix;
      mag %= u.unit;
    }
  }
  return out;
}

std::string Value::ToCedar() const {
  switch (kind_) {
    case Kind::kBool:
      return AsBool() ? "true" : "false";
    case Kind::kLong:
      return std::to_string(AsLong());
    case Kind::kString:
      return QuoteString(AsString());
    case Kind::kEntity:
      return AsEntity().ToString();
    case Kind::kSet: {
      std::string out = "[";
      for (size_t i = 0; i < AsSet().size(); ++i) {
        if (i) out += ", ";
        out += AsSet()[i].ToCedar();
      }
      return out + "]";
    }
    case Kind::kRecord: {
      std::string out = "{";
      for (size_t i = 0; i < AsRecord().size(); ++i) {
        if (i) out += ", ";
        out += QuoteString(AsRecord()[i].first) + ": " +
               AsRecord()[i].second.ToCedar();
      }
      return out + "}";
    }
    case Kind::kDecimal:
      return "decimal(\"" + DecimalToString(AsLong()) + "\")";
    case Kind::kIpAddr:
      return "ip(\"" + IpToString(AsIp()) + "\")";
    case Kind::kDatetime: {
      std::string iso = DatetimeToIso(AsLong());
      if (iso.empty())  // no datetime string names it: an offset does
        return "datetime(\"1970-01-01\").offset(duration(\"" +
               DurationToString(AsLong()) + "\"))";
      return "datetime(\"" + iso + "\")";
    }
    case Kind::kDuration:
      return "duration(\"" + DurationToString(AsLong()) + "\")";
  }
  return "";
}

}  // namespace haven::cedar
