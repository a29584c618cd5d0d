#include "base/canonical_json.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <string_view>
#include <vector>

namespace haven {
namespace {

void Write(const boost::json::value& v, std::string& out) {
  if (!v.is_object() && !v.is_array()) {
    out += boost::json::serialize(v);
    return;
  }
  if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const boost::json::value& e : v.get_array()) {
      if (!first) out += ',';
      first = false;
      Write(e, out);
    }
    out += ']';
    return;
  }
  const boost::json::object& o = v.get_object();
  std::vector<const boost::json::key_value_pair*> members;
  members.reserve(o.size());
  for (const boost::json::key_value_pair& kv : o) members.push_back(&kv);
  // Byte order of the UTF-8 keys (string_view compares as unsigned char).
  std::sort(members.begin(), members.end(), [](auto* a, auto* b) {
    return std::string_view(a->key()) < std::string_view(b->key());
  });
  out += '{';
  bool first = true;
  for (const boost::json::key_value_pair* kv : members) {
    if (!first) out += ',';
    first = false;
    out += boost::json::serialize(boost::json::value(kv->key()));
    out += ':';
    Write(kv->value(), out);
  }
  out += '}';
}

}  // namespace

std::string CanonicalJson(const boost::json::value& v) {
  std::string out;
  Write(v, out);
  return out;
}

}  // namespace haven
