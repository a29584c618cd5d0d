// Cedar values: booleans, 64-bit integers, strings, entity references, sets,
// records, and the extension types decimal, ipaddr, datetime and duration.
//
//   Value v = Value::Record({{"purpose", Value::String("warrant-service")},
//                            {"flags", Value::Set({Value::Long(1)})}});
//   if (v.kind() == Value::Kind::kRecord) { const Value* p = v.Find("purpose");
//   }
//
// A Value is immutable and cheap to copy: scalars, extension values and
// strings of up to 22 bytes are held inline; longer strings, entity uids,
// sets and records are shared, immutable heap objects. Sets are kept sorted and
// free of duplicates (by Compare), and records sorted by key, so that equality
// is structural and O(n). Thread-safety: a Value may be read from many threads
// at once.
#ifndef HAVEN_CEDAR_VALUE_H_
#define HAVEN_CEDAR_VALUE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace haven::cedar {

// Unaligned loads of 8 and 4 bytes, for BytesEqual and HashBytes.
inline uint64_t Load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline uint64_t Load4(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// BytesEqual(a, b, n) is memcmp(a, b, n) == 0, inlined: uids and attribute
// names are short, and a call to memcmp costs more than comparing them.
inline bool BytesEqual(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    // Whole words, then the last word (overlapping the one before).
    for (size_t i = 0; i + 8 < n; i += 8)
      if (Load8(a + i) != Load8(b + i)) return false;
    return Load8(a + n - 8) == Load8(b + n - 8);
  }
  if (n >= 4)
    return Load4(a) == Load4(b) && Load4(a + n - 4) == Load4(b + n - 4);
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// StringsEqual(a, b) is a == b, through BytesEqual.
inline bool StringsEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && BytesEqual(a.data(), b.data(), a.size());
}

// HashBytes: a fast 64-bit hash of short strings (wyhash-style multiply and
// fold). Only for in-memory tables; never stored or sent anywhere.
inline uint64_t HashMix(uint64_t a, uint64_t b) {
  unsigned __int128 m = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}
inline uint64_t HashBytes(const char* p, size_t n, uint64_t seed) {
  constexpr uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = Load8(p);
      b = Load8(p + n - 8);
    } else if (n >= 4) {
      a = Load4(p);
      b = Load4(p + n - 4);
    } else if (n > 0) {
      a = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
          (static_cast<uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8) |
          static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    size_t i = 0;
    for (; i + 16 < n; i += 16)
      seed = HashMix(Load8(p + i) ^ k1, Load8(p + i + 8) ^ seed);
    a = Load8(p + n - 16);
    b = Load8(p + n - 8);
  }
  return HashMix(k1 ^ n, HashMix(a ^ k1, b ^ seed ^ k0));
}

// EntityUid names one entity: its type (with namespace, "NS::Type") and id.
struct EntityUid {
  std::string type;
  std::string id;

  friend bool operator==(const EntityUid& a, const EntityUid& b) {
    return StringsEqual(a.type, b.type) && StringsEqual(a.id, b.id);
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

// EntityUidHash: the hash the entity store and the authorizer's index share.
struct EntityUidHash {
  size_t operator()(const EntityUid& u) const {
    return HashBytes(
        u.id.data(), u.id.size(),
        HashBytes(u.type.data(), u.type.size(), 0x2d358dccaa6c78a5ULL));
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

namespace internal {
struct HeapObj;
}  // namespace internal

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

  Value() noexcept : raw_{}, len_(0), kind_(Kind::kBool) {}  // false
  Value(const Value& o) noexcept : len_(o.len_), kind_(o.kind_) {
    std::memcpy(raw_, o.raw_, sizeof(raw_));
    if (len_ == kHeap) Retain();
  }
  Value(Value&& o) noexcept : len_(o.len_), kind_(o.kind_) {
    std::memcpy(raw_, o.raw_, sizeof(raw_));
    o.len_ = 0;
    o.kind_ = Kind::kBool;
  }
  Value& operator=(const Value& o) noexcept {
    Value copy(o);
    return *this = std::move(copy);
  }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      if (len_ == kHeap) Release();
      std::memcpy(raw_, o.raw_, sizeof(raw_));
      len_ = o.len_;
      kind_ = o.kind_;
      o.len_ = 0;
      o.kind_ = Kind::kBool;
    }
    return *this;
  }
  ~Value() {
    if (len_ == kHeap) Release();
  }

  static Value Bool(bool b);
  static Value Long(int64_t n);
  static Value String(std::string s);
  static Value Entity(EntityUid uid);
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

  // Accessors; each requires the matching kind. A string's view lives as
  // long as the Value (short strings are held inside it).
  bool AsBool() const { return Word() != 0; }
  int64_t AsLong() const { return Word(); }  // also decimal/datetime/duration
  std::string_view AsString() const;
  const EntityUid& AsEntity() const;
  const ValueSet& AsSet() const;
  const ValueRecord& AsRecord() const;
  const IpAddr& AsIp() const {
    return *std::launder(reinterpret_cast<const IpAddr*>(raw_));
  }
  // The shared object behind a long string, entity, set or record (else
  // nullptr), for callers that prefetch what they will read.
  const void* heap() const { return len_ == kHeap ? Heap() : nullptr; }

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
  // 24 bytes, so that a record field is 56 and a set element 24: raw_ holds
  // a 64-bit word, an IpAddr, up to kInline bytes of a string (len_ of
  // them), or a pointer to a shared, immutable, reference-counted object
  // (len_ == kHeap): a longer string, an entity uid, a set or a record.
  static constexpr size_t kInline = 22;
  static constexpr uint8_t kHeap = 0xff;

  int64_t Word() const {
    int64_t w;
    std::memcpy(&w, raw_, sizeof(w));
    return w;
  }
  internal::HeapObj* Heap() const {
    internal::HeapObj* h;
    std::memcpy(&h, raw_, sizeof(h));
    return h;
  }
  void SetHeap(internal::HeapObj* h, Kind k) {
    std::memcpy(raw_, &h, sizeof(h));
    len_ = kHeap;
    kind_ = k;
  }
  void Retain() const;
  void Release();  // drops this Value's reference (len_ == kHeap)

  alignas(8) unsigned char raw_[kInline];
  uint8_t len_;
  Kind kind_;
};
static_assert(sizeof(Value) == 24);

namespace internal {
// The shared objects behind Values. Immutable once built; the count is
// atomic so that Values may be copied and dropped on any thread.
struct HeapObj {
  std::atomic<uint32_t> refs{1};
};
struct HeapString : HeapObj {
  uint32_t size = 0;  // the bytes follow the object
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
};
struct HeapEntity : HeapObj {
  EntityUid uid;
};
struct HeapSet : HeapObj {
  ValueSet set;
};
struct HeapRecord : HeapObj {
  ValueRecord record;
};
}  // namespace internal

inline void Value::Retain() const {
  Heap()->refs.fetch_add(1, std::memory_order_relaxed);
}

inline std::string_view Value::AsString() const {
  if (len_ != kHeap)
    return std::string_view(reinterpret_cast<const char*>(raw_), len_);
  const auto* h = static_cast<const internal::HeapString*>(Heap());
  return std::string_view(h->data(), h->size);
}
inline const EntityUid& Value::AsEntity() const {
  return static_cast<const internal::HeapEntity*>(Heap())->uid;
}
inline const ValueSet& Value::AsSet() const {
  return static_cast<const internal::HeapSet*>(Heap())->set;
}
inline const ValueRecord& Value::AsRecord() const {
  return static_cast<const internal::HeapRecord*>(Heap())->record;
}

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
