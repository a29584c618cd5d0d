// Cedar values: booleans, 64-bit integers, strings, entity references, sets,
// records, and the extension types decimal, ipaddr, datetime and duration.
//
//   Value v = Value::Record({{"purpose", Value::String("warrant-service")},
//                            {"flags", Value::Set({Value::Long(1)})}});
//   if (v.kind() == Value::Kind::kRecord) { const Value* p = v.Find("purpose");
//   }
//
// A Value is immutable and cheap to copy: scalars and extension values are
// held inline; strings, entity uids, sets and records are shared, immutable
// heap objects. Sets are kept sorted and free of duplicates (by Compare), and
// records sorted by key, so that equality is structural and O(n).
// Thread-safety: a Value may be read from many threads at once.
#ifndef HAVEN_CEDAR_VALUE_H_
#define HAVEN_CEDAR_VALUE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace haven::cedar {

// EntityUid names one entity: its type (with namespace, "NS::Type") and id.
struct EntityUid {
  std::string type;
  std::string id;

  friend bool operator==(const EntityUid& a, const EntityUid& b) {
    return a.type == b.type && a.id == b.id;
  }
  friend bool operator!=(const EntityUid& a, const EntityUid& b) {
    return !(a == b);
  }
  friend bool operator<(const EntityUid& a, const EntityUid& b) {
    int c = a.type.compare(b.type);
    return c != 0 ? c < 0 : a.id < b.id;
  }
  // Cedar's text form: Type::"id" with the id escaped.
  std::string ToString() const;
};

struct EntityUidHash {
  size_t operator()(const EntityUid& u) const {
    size_t h = std::hash<std::string_view>()(u.type);
    return h ^ (std::hash<std::string_view>()(u.id) + 0x9e3779b97f4a7c15ULL +
                (h << 6) + (h >> 2));
  }
};

// An IPv4 or IPv6 address with a prefix length (Cedar's ipaddr). For IPv4 the
// address is in the first 4 bytes of `bytes` and prefix is at most 32.
struct IpAddr {
  std::array<uint8_t, 16> bytes{};
  uint8_t prefix = 0;
  bool v6 = false;

  friend bool operator==(const IpAddr& a, const IpAddr& b) {
    return a.v6 == b.v6 && a.prefix == b.prefix && a.bytes == b.bytes;
  }
};

class Value;
using ValueSet = std::vector<Value>;  // sorted by Compare, no duplicates
using RecordField = std::pair<std::string, Value>;
using ValueRecord = std::vector<RecordField>;  // sorted by key, unique keys

class Value {
 public:
  enum class Kind : uint8_t {
    kBool,
    kLong,
    kString,
    kEntity,
    kSet,
    kRecord,
    kDecimal,  // AsLong() is the value times 10^4
    kIpAddr,
    kDatetime,  // AsLong() is milliseconds since the Unix epoch, UTC
    kDuration,  // AsLong() is milliseconds
  };

  Value() : kind_(Kind::kBool) {}  // false

  static Value Bool(bool b);
  static Value Long(int64_t n);
  static Value String(std::string s);
  static Value Entity(EntityUid uid);
  static Value Entity(std::shared_ptr<const EntityUid> uid);
  // Sorts and removes duplicates.
  static Value Set(std::vector<Value> elements);
  // Sorts by key. If a key repeats, the last value wins; callers that must
  // reject duplicates check before building.
  static Value Record(std::vector<RecordField> fields);
  static Value Decimal(int64_t scaled);
  static Value Ip(const IpAddr& ip);
  static Value Datetime(int64_t ms);
  static Value Duration(int64_t ms);

  Kind kind() const { return kind_; }
  bool is_extension() const { return kind_ >= Kind::kDecimal; }

  // Accessors; each requires the matching kind.
  bool AsBool() const { return scalar_.i != 0; }
  int64_t AsLong() const {
    return scalar_.i;
  }  // also decimal/datetime/duration
  const std::string& AsString() const {
    return *static_cast<const std::string*>(heap_.get());
  }
  const EntityUid& AsEntity() const {
    return *static_cast<const EntityUid*>(heap_.get());
  }
  const std::shared_ptr<const EntityUid> EntityPtr() const {
    return std::static_pointer_cast<const EntityUid>(heap_);
  }
  const ValueSet& AsSet() const {
    return *static_cast<const ValueSet*>(heap_.get());
  }
  const ValueRecord& AsRecord() const {
    return *static_cast<const ValueRecord*>(heap_.get());
  }
  const IpAddr& AsIp() const { return scalar_.ip; }

  // For a record: the field named `key`, or nullptr.
  const Value* Find(std::string_view key) const;
  // For a set: whether it holds `v` (binary search).
  bool Contains(const Value& v) const;

  // Cedar equality (==): structural; values of different kinds are unequal.
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

  // A total order consistent with ==, used to keep sets canonical. It is not
  // Cedar's `<` (which only exists for longs, datetimes and durations).
  static int Compare(const Value& a, const Value& b);

  // Cedar's text form of the value, as a policy would write it
  // (e.g. `{"a": [1, true]}`, `decimal("1.2500")`, `ip("10.0.0.0/8")`).
  std::string ToCedar() const;

  // Name of a kind as Cedar's messages use it ("long", "string", ...).
  static const char* KindName(Kind k);

 private:
  union Scalar {
    int64_t i;
    IpAddr ip;
    Scalar() : i(0) {}
  };

  Kind kind_;
  Scalar scalar_;
  std::shared_ptr<const void> heap_;
};

// Cedar's text quoting of a string: "..." with \n, \t, \", \\, \u{..} etc.
std::string QuoteString(std::string_view s);

// Decimal text form with 4 fractional digits, e.g. -12.5000.
std::string DecimalToString(int64_t scaled);
// ipaddr text form, e.g. 10.0.0.1/32 or ::1/128.
std::string IpToString(const IpAddr& ip);
// Datetime text form, "YYYY-MM-DDThh:mm:ss.sssZ", for milliseconds since
// the epoch; "" when the year falls outside 0000-9999, where no datetime
// string can name the instant.
std::string DatetimeToIso(int64_t ms);
// Duration text form as Cedar prints it, e.g. 1d2h3m4s5ms (or 0ms).
std::string DurationToString(int64_t ms);

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_VALUE_H_
