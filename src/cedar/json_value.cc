// Reading and writing Cedar values in JSON. The rules for escapes follow
// cedar-policy-core's entities/json/value.rs (Cedar 4.x): an object is an
// escape only when it has exactly one key and the escape's body has the
// fields Cedar looks for; anything else is a plain record.
#include "cedar/json_value.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <span>
#include <utility>
#include <vector>

#include "cedar/extensions.h"
#include "cedar/json_internal.h"

namespace haven::cedar {
namespace json_internal {

namespace {

constexpr std::string_view kReservedWords[] = {
    "true", "false", "if", "then", "else", "in", "is", "like", "has"};

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  auto head = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  if (!head(s[0])) return false;
  for (char c : s.substr(1)) {
    if (!head(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsReserved(std::string_view s) {
  for (std::string_view r : kReservedWords) {
    if (s == r) return true;
  }
  return false;
}

bool IsHead(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// One pass, no allocation: the common case of a valid name.
bool IsValidName(std::string_view name) {
  const size_t n = name.size();
  size_t start = 0;
  while (true) {
    if (start >= n || !IsHead(name[start])) return false;
    size_t j = start + 1;
    while (j < n && (IsHead(name[j]) || (name[j] >= '0' && name[j] <= '9'))) {
      ++j;
    }
    std::string_view part = name.substr(start, j - start);
    if (part.size() <= 7 && (IsReserved(part) || part == "__cedar")) {
      return false;
    }
    if (j == n) return true;
    if (j + 1 >= n || name[j] != ':' || name[j + 1] != ':') return false;
    start = j + 2;
  }
}

// Returns an empty string if `name` is valid, else the reason.
std::string NameProblem(std::string_view name) {
  if (IsValidName(name)) return {};
  if (name.empty()) return "it is empty";
  size_t start = 0;
  while (true) {
    size_t sep = name.find("::", start);
    std::string_view part = name.substr(start, sep == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : sep - start);
    if (!IsIdentifier(part)) {
      if (part.empty()) return "it has an empty component around `::`";
      return "`" + std::string(part) +
             "` is not an identifier (letters, digits and `_`, not starting "
             "with a digit; no spaces)";
    }
    if (IsReserved(part)) {
      return "`" + std::string(part) + "` is a reserved word";
    }
    if (part == "__cedar") return "the name `__cedar` is reserved";
    if (sep == std::string_view::npos) break;
    start = sep + 2;
  }
  return {};
}

void AppendPointerToken(std::string_view key, std::string* out) {
  for (char c : key) {
    if (c == '~') {
      *out += "~0";
    } else if (c == '/') {
      *out += "~1";
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

std::string PointerOf(const JsonPath* path) {
  std::vector<const JsonPath*> chain;
  for (const JsonPath* p = path; p != nullptr && p->parent != nullptr;
       p = p->parent) {
    chain.push_back(p);
  }
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    out.push_back('/');
    if ((*it)->is_index) {
      out += std::to_string((*it)->index);
    } else {
      AppendPointerToken((*it)->key, &out);
    }
  }
  return out;
}

Error ErrorAt(const JsonPath& path, std::string_view message) {
  std::string pointer = PointerOf(&path);
  std::string out;
  if (pointer.empty()) {
    out = "at top level: ";
  } else {
    out = "at " + pointer + ": ";
  }
  out += message;
  return Error(std::move(out));
}

Result<Element> ParseJson(std::string_view json, const JsonLimits& limits) {
  if (json.size() > limits.max_bytes) {
    return Error("input is " + std::to_string(json.size()) +
                 " bytes, over the limit of " +
                 std::to_string(limits.max_bytes));
  }
  thread_local simdjson::dom::parser parser;
  // simdjson's depth counts the document as a level; an empty innermost
  // container does not count.
  const size_t depth = limits.max_depth + 1;
  if (parser.max_depth() != depth) {
    if (parser.allocate(std::max<size_t>(json.size(), 4096), depth) !=
        simdjson::SUCCESS) {
      return Error("out of memory for a JSON document of " +
                   std::to_string(json.size()) + " bytes");
    }
  }
  Element root;
  simdjson::error_code err = parser.parse(json.data(), json.size()).get(root);
  if (err == simdjson::DEPTH_ERROR) {
    return Error(
        "invalid JSON: arrays and objects are nested deeper than "
        "the limit of " +
        std::to_string(limits.max_depth) + " levels");
  }
  if (err != simdjson::SUCCESS) {
    return Error(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  return root;
}

const char* TypeName(Element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return "an integer";
    case simdjson::dom::element_type::DOUBLE:
      return "a number";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "a JSON value";
}

std::string Describe(Element e) {
  std::string text = simdjson::minify(e);
  constexpr size_t kMax = 80;
  if (text.size() > kMax) {
    // Cut at a UTF-8 character boundary.
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    text.resize(cut);
    text += "...";
  }
  return std::string(TypeName(e)) + " `" + text + "`";
}

Status CheckNoDuplicateKeys(Object obj, const JsonPath& path) {
  size_t n = obj.size();
  if (n < 2) return {};
  if (n <= 16) {
    // Small objects (nearly all of them): pairwise, without allocating.
    std::string_view seen[16];
    size_t k = 0;
    for (auto field : obj) {
      for (size_t j = 0; j < k; ++j) {
        if (seen[j] == field.key) {
          return ErrorAt(path,
                         "duplicate key `" + std::string(field.key) + "`");
        }
      }
      seen[k++] = field.key;
    }
    return {};
  }
  std::vector<std::string_view> keys;
  keys.reserve(n);
  for (auto field : obj) keys.push_back(field.key);
  std::sort(keys.begin(), keys.end());
  auto dup = std::adjacent_find(keys.begin(), keys.end());
  if (dup != keys.end()) {
    return ErrorAt(path, "duplicate key `" + std::string(*dup) + "`");
  }
  return {};
}

Status CheckKnownKeys(Object obj,
                      std::initializer_list<std::string_view> allowed,
                      const JsonPath& path) {
  for (auto field : obj) {
    if (std::find(allowed.begin(), allowed.end(), field.key) != allowed.end()) {
      continue;
    }
    std::string msg =
        "unknown field `" + std::string(field.key) + "`, expected ";
    if (allowed.size() == 1) {
      msg += "`" + std::string(*allowed.begin()) + "`";
    } else {
      msg += "one of ";
      bool first = true;
      for (std::string_view a : allowed) {
        if (!first) msg += ", ";
        first = false;
        msg += "`" + std::string(a) + "`";
      }
    }
    return ErrorAt(path, msg);
  }
  return {};
}

Status CheckCedarName(std::string_view name, std::string_view what,
                      const JsonPath& path) {
  if (IsValidName(name)) return {};
  std::string problem = NameProblem(name);
  if (problem.empty()) return {};
  return ErrorAt(path, "invalid " + std::string(what) + " `" +
                           std::string(name) + "`: " + problem);
}

Status CheckAnyId(std::string_view id, std::string_view what,
                  const JsonPath& path) {
  if (IsIdentifier(id)) return {};
  return ErrorAt(path, "invalid " + std::string(what) + " `" + std::string(id) +
                           "`: expected an identifier (letters, digits and "
                           "`_`, not starting with a digit)");
}

namespace {

bool GetField(Object obj, std::string_view key, Element* out) {
  return obj.at_key(key).get(*out) == simdjson::SUCCESS;
}

bool SingleField(Object obj, std::string_view key, Element* value) {
  if (obj.size() != 1) return false;
  auto field = *obj.begin();
  if (field.key != key) return false;
  *value = field.value;
  return true;
}

}  // namespace

bool IsEntityEscape(Object obj, Element* body) {
  Element b;
  if (!SingleField(obj, "__entity", &b) || !b.is_object()) return false;
  Object inner = b.get_object().value_unsafe();
  if (inner.size() < 2) return false;
  Element type, id;
  if (!GetField(inner, "type", &type) || !type.is_string()) return false;
  if (!GetField(inner, "id", &id) || !id.is_string()) return false;
  *body = b;
  return true;
}

bool IsExtnEscape(Object obj, std::string_view* fn, Element* arg, Array* args,
                  bool* multi) {
  Element b;
  if (!SingleField(obj, "__extn", &b) || !b.is_object()) return false;
  Object inner = b.get_object().value_unsafe();
  if (inner.size() < 2) return false;
  Element f;
  if (!GetField(inner, "fn", &f) || !f.is_string()) return false;
  *fn = f.get_string().value_unsafe();
  if (GetField(inner, "arg", arg)) {
    *multi = false;
    return true;
  }
  Element a;
  if (GetField(inner, "args", &a) && a.is_array()) {
    *args = a.get_array().value_unsafe();
    *multi = true;
    return true;
  }
  return false;
}

bool IsExprEscape(Object obj) {
  Element b;
  return SingleField(obj, "__expr", &b) && b.is_string();
}

Status CheckRaw(Element e, const JsonPath& path) {
  switch (e.type()) {
    case simdjson::dom::element_type::DOUBLE:
      return ErrorAt(path, "expected an integer, found " + Describe(e) +
                               " (Cedar numbers are 64-bit integers)");
    case simdjson::dom::element_type::UINT64:
      return ErrorAt(path, "integer " + simdjson::minify(e) +
                               " is out of the signed 64-bit range");
    case simdjson::dom::element_type::ARRAY: {
      Array arr = e.get_array().value_unsafe();
      size_t i = 0;
      for (Element x : arr) {
        Status s = CheckRaw(x, path.Index(i++));
        if (!s.ok()) return s;
      }
      return {};
    }
    case simdjson::dom::element_type::OBJECT: {
      Object obj = e.get_object().value_unsafe();
      Status s = CheckNoDuplicateKeys(obj, path);
      if (!s.ok()) return s;
      for (auto field : obj) {
        s = CheckRaw(field.value, path.Key(field.key));
        if (!s.ok()) return s;
      }
      return {};
    }
    default:
      return {};
  }
}

namespace {

// Checks the fields of an escape body that Cedar parses but ignores.
Status CheckIgnoredFields(Object body,
                          std::initializer_list<std::string_view> used,
                          const JsonPath& path) {
  for (auto field : body) {
    if (std::find(used.begin(), used.end(), field.key) != used.end()) continue;
    Status s = CheckRaw(field.value, path.Key(field.key));
    if (!s.ok()) return s;
  }
  return {};
}

Result<Value> ReadExtnEscape(Object obj, std::string_view fn, Element arg,
                             Array args, bool multi, const JsonPath& path) {
  JsonPath body_path = path.Key("__extn");
  Object body = obj.begin().value().get_object().value_unsafe();
  Status s = CheckIgnoredFields(
      body,
      multi ? std::initializer_list<std::string_view>{"fn", "args"}
            : std::initializer_list<std::string_view>{"fn", "arg"},
      body_path);
  if (!s.ok()) return s.error();
  s = CheckCedarName(fn, "extension function name", body_path.Key("fn"));
  if (!s.ok()) return s.error();
  std::vector<Value> values;
  if (multi) {
    JsonPath args_path = body_path.Key("args");
    size_t i = 0;
    for (Element a : args) {
      Result<Value> v = ReadValue(a, args_path.Index(i++));
      if (!v.ok()) return v.error();
      values.push_back(std::move(*v));
    }
  } else {
    Result<Value> v = ReadValue(arg, body_path.Key("arg"));
    if (!v.ok()) return v.error();
    values.push_back(std::move(*v));
  }
  if (ExtensionArity(fn) < 0) {
    return ErrorAt(
        path, "extension function `" + std::string(fn) + "` does not exist");
  }
  Result<Value> out = CallExtension(fn, std::span<const Value>(values));
  if (!out.ok()) {
    return ErrorAt(path, "failed to evaluate `" + std::string(fn) +
                             "`: " + out.error().message());
  }
  return out;
}

Result<EntityUid> UidFromTypeAndId(Object body, const JsonPath& path) {
  Element type, id;
  GetField(body, "type", &type);
  GetField(body, "id", &id);
  std::string_view t = type.get_string().value_unsafe();
  Status s = CheckCedarName(t, "entity type", path.Key("type"));
  if (!s.ok()) return s.error();
  return EntityUid{std::string(t), std::string(id.get_string().value_unsafe())};
}

Result<Value> ReadObject(Object obj, const JsonPath& path) {
  if (obj.size() == 1) {
    auto field = *obj.begin();
    if ((field.key == "__entity" || field.key == "__extn") &&
        field.value.is_object()) {
      // Cedar parses the body as a map first, so duplicates fail even when
      // the object then turns out not to be an escape.
      Status s = CheckNoDuplicateKeys(field.value.get_object().value_unsafe(),
                                      path.Key(field.key));
      if (!s.ok()) return s.error();
    }
    std::string_view fn;
    Element arg;
    Array args;
    bool multi = false;
    if (IsExtnEscape(obj, &fn, &arg, &args, &multi)) {
      return ReadExtnEscape(obj, fn, arg, args, multi, path);
    }
    Element body;
    if (IsEntityEscape(obj, &body)) {
      JsonPath body_path = path.Key("__entity");
      Object b = body.get_object().value_unsafe();
      Status s = CheckIgnoredFields(b, {"type", "id"}, body_path);
      if (!s.ok()) return s.error();
      Result<EntityUid> uid = UidFromTypeAndId(b, body_path);
      if (!uid.ok()) return uid.error();
      return Value::Entity(std::move(*uid));
    }
    if (IsExprEscape(obj)) {
      return ErrorAt(path, "the `__expr` escape is no longer supported");
    }
  }
  std::vector<RecordField> fields;
  fields.reserve(obj.size());
  for (auto field : obj) {
    Result<Value> v = ReadValue(field.value, path.Key(field.key));
    if (!v.ok()) return v.error();
    fields.emplace_back(std::string(field.key), std::move(*v));
  }
  size_t n = fields.size();
  Value record = Value::Record(std::move(fields));
  if (record.AsRecord().size() != n) {
    // Value::Record keeps one of each key; find the repeated one to name it.
    Status s = CheckNoDuplicateKeys(obj, path);
    if (!s.ok()) return s.error();
  }
  return record;
}

}  // namespace

Result<Value> ReadValue(Element e, const JsonPath& path) {
  switch (e.type()) {
    case simdjson::dom::element_type::BOOL:
      return Value::Bool(e.get_bool().value_unsafe());
    case simdjson::dom::element_type::INT64:
      return Value::Long(e.get_int64().value_unsafe());
    case simdjson::dom::element_type::STRING:
      return Value::String(std::string(e.get_string().value_unsafe()));
    case simdjson::dom::element_type::ARRAY: {
      Array arr = e.get_array().value_unsafe();
      std::vector<Value> elems;
      elems.reserve(arr.size());
      size_t i = 0;
      for (Element x : arr) {
        Result<Value> v = ReadValue(x, path.Index(i++));
        if (!v.ok()) return v;
        elems.push_back(std::move(*v));
      }
      return Value::Set(std::move(elems));
    }
    case simdjson::dom::element_type::OBJECT:
      return ReadObject(e.get_object().value_unsafe(), path);
    case simdjson::dom::element_type::NULL_VALUE:
      return ErrorAt(path, "found `null`; JSON nulls are not allowed in Cedar");
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return CheckRaw(e, path).error();
  }
  return ErrorAt(path, "unexpected JSON value");
}

namespace {

// The fields of a uid object that Cedar looks at. Other fields are ignored
// (serde ignores unknown fields), and so may repeat; these may not.
struct UidFields {
  Element type, id, entity, expr;
  bool has_type = false, has_id = false, has_entity = false, has_expr = false;
};

Status ScanUidFields(Object obj, const JsonPath& path, UidFields* f) {
  for (auto field : obj) {
    std::string_view k = field.key;
    Element* slot;
    bool* seen;
    if (k == "type") {
      slot = &f->type, seen = &f->has_type;
    } else if (k == "id") {
      slot = &f->id, seen = &f->has_id;
    } else if (k == "__entity") {
      slot = &f->entity, seen = &f->has_entity;
    } else if (k == "__expr") {
      slot = &f->expr, seen = &f->has_expr;
    } else {
      continue;
    }
    if (*seen) return ErrorAt(path, "duplicate key `" + std::string(k) + "`");
    *seen = true;
    *slot = field.value;
  }
  return {};
}

bool HasTypeAndId(const UidFields& f) {
  return f.has_type && f.type.is_string() && f.has_id && f.id.is_string();
}

Result<EntityUid> MakeUid(const UidFields& f, const JsonPath& path) {
  std::string_view t = f.type.get_string().value_unsafe();
  Status s = CheckCedarName(t, "entity type", path.Key("type"));
  if (!s.ok()) return s.error();
  return EntityUid{std::string(t),
                   std::string(f.id.get_string().value_unsafe())};
}

}  // namespace

Result<EntityUid> ReadUid(Element e, const JsonPath& path) {
  auto expected = [&]() {
    return ErrorAt(path,
                   "expected an entity reference such as {\"type\": \"User\", "
                   "\"id\": \"alice\"}, found " +
                       Describe(e));
  };
  if (!e.is_object()) return expected();
  UidFields f;
  Status s = ScanUidFields(e.get_object().value_unsafe(), path, &f);
  if (!s.ok()) return s.error();
  if (f.has_expr && f.expr.is_string()) {
    return ErrorAt(path, "the `__expr` escape is no longer supported");
  }
  if (f.has_entity && f.entity.is_object()) {
    JsonPath body_path = path.Key("__entity");
    UidFields inner;
    s = ScanUidFields(f.entity.get_object().value_unsafe(), body_path, &inner);
    if (!s.ok()) return s.error();
    if (HasTypeAndId(inner)) return MakeUid(inner, body_path);
  }
  if (HasTypeAndId(f)) return MakeUid(f, path);
  return expected();
}

namespace {

void AppendExtnCall(std::string_view fn, std::string_view arg,
                    std::string* out) {
  *out += "{\"fn\":";
  AppendJsonString(fn, out);
  *out += ",\"arg\":";
  AppendJsonString(arg, out);
  out->push_back('}');
}

void AppendDatetimeBody(int64_t ms, std::string* out) {
  std::string iso = DatetimeToIso(ms);
  if (iso.empty()) {
    // No datetime string can name this instant: write it as an offset from
    // the epoch, which Cedar evaluates to the same value.
    *out += "{\"fn\":\"offset\",\"args\":[{\"__extn\":";
    AppendExtnCall("datetime", "1970-01-01", out);
    *out += "},{\"__extn\":";
    AppendExtnCall("duration", DurationToString(ms), out);
    *out += "}]}";
    return;
  }
  AppendExtnCall("datetime", iso, out);
}

}  // namespace

void AppendInt(int64_t n, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out->append(buf, end);
}

void AppendExtnBody(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kDecimal:
      AppendExtnCall("decimal", DecimalToString(v.AsLong()), out);
      return;
    case Value::Kind::kIpAddr:
      AppendExtnCall("ip", IpToString(v.AsIp()), out);
      return;
    case Value::Kind::kDuration:
      AppendExtnCall("duration", DurationToString(v.AsLong()), out);
      return;
    case Value::Kind::kDatetime:
      AppendDatetimeBody(v.AsLong(), out);
      return;
    default:
      return;
  }
}

}  // namespace json_internal

using json_internal::Element;
using json_internal::ErrorAt;
using json_internal::JsonPath;
using json_internal::Object;

Result<Value> ReadValueJson(std::string_view json, const JsonLimits& limits) {
  Result<Element> root = json_internal::ParseJson(json, limits);
  if (!root.ok()) return root.error();
  return json_internal::ReadValue(*root, JsonPath{});
}

Result<Value> ReadContextJson(std::string_view json, const JsonLimits& limits) {
  Result<Value> v = ReadValueJson(json, limits);
  if (!v.ok()) return v;
  if (v->kind() != Value::Kind::kRecord) {
    return ErrorAt(JsonPath{}, std::string("the context must be a record, "
                                           "found a ") +
                                   Value::KindName(v->kind()));
  }
  return v;
}

Result<EntityUid> ReadEntityUidJson(std::string_view json,
                                    const JsonLimits& limits) {
  Result<Element> root = json_internal::ParseJson(json, limits);
  if (!root.ok()) return root.error();
  return json_internal::ReadUid(*root, JsonPath{});
}

Result<Request> ReadRequestJson(std::string_view json,
                                const JsonLimits& limits) {
  Result<Element> root = json_internal::ParseJson(json, limits);
  if (!root.ok()) return root.error();
  JsonPath path;
  if (!root->is_object()) {
    return ErrorAt(path, "expected a request object, found " +
                             json_internal::Describe(*root));
  }
  Object obj = root->get_object().value_unsafe();
  Status s = json_internal::CheckNoDuplicateKeys(obj, path);
  if (!s.ok()) return s.error();
  s = json_internal::CheckKnownKeys(
      obj, {"principal", "action", "resource", "context"}, path);
  if (!s.ok()) return s.error();
  Request req;
  for (auto [key, target] :
       {std::pair<std::string_view, EntityUid*>{"principal", &req.principal},
        {"action", &req.action},
        {"resource", &req.resource}}) {
    Element e;
    if (obj.at_key(key).get(e) != simdjson::SUCCESS) {
      return ErrorAt(path, "missing field `" + std::string(key) + "`");
    }
    Result<EntityUid> uid = json_internal::ReadUid(e, path.Key(key));
    if (!uid.ok()) return uid.error();
    *target = std::move(*uid);
  }
  Element ctx;
  if (obj.at_key("context").get(ctx) == simdjson::SUCCESS) {
    JsonPath ctx_path = path.Key("context");
    Result<Value> v = json_internal::ReadValue(ctx, ctx_path);
    if (!v.ok()) return v.error();
    if (v->kind() != Value::Kind::kRecord) {
      return ErrorAt(ctx_path, std::string("the context must be a record, "
                                           "found a ") +
                                   Value::KindName(v->kind()));
    }
    req.context = std::move(*v);
  }
  return req;
}

void AppendValueJson(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      *out += v.AsBool() ? "true" : "false";
      return;
    case Value::Kind::kLong:
      json_internal::AppendInt(v.AsLong(), out);
      return;
    case Value::Kind::kString:
      AppendJsonString(v.AsString(), out);
      return;
    case Value::Kind::kEntity:
      *out += "{\"__entity\":";
      AppendEntityUidJson(v.AsEntity(), out);
      out->push_back('}');
      return;
    case Value::Kind::kSet: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.AsSet()) {
        if (!first) out->push_back(',');
        first = false;
        AppendValueJson(e, out);
      }
      out->push_back(']');
      return;
    }
    case Value::Kind::kRecord: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, e] : v.AsRecord()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(k, out);
        out->push_back(':');
        AppendValueJson(e, out);
      }
      out->push_back('}');
      return;
    }
    case Value::Kind::kDecimal:
    case Value::Kind::kIpAddr:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
      *out += "{\"__extn\":";
      json_internal::AppendExtnBody(v, out);
      out->push_back('}');
      return;
  }
}

std::string WriteValueJson(const Value& v) {
  std::string out;
  AppendValueJson(v, &out);
  return out;
}

void AppendEntityUidJson(const EntityUid& uid, std::string* out) {
  *out += "{\"type\":";
  AppendJsonString(uid.type, out);
  *out += ",\"id\":";
  AppendJsonString(uid.id, out);
  out->push_back('}');
}

std::string WriteEntityUidJson(const EntityUid& uid) {
  std::string out;
  AppendEntityUidJson(uid, &out);
  return out;
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = s.size() - i;
  auto cont = [&](size_t k) {
    return k < s.size() && (byte(k) & 0xC0) == 0x80;
  };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return n >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
    if (c == 0xF4 && c1 >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Printable ASCII other than '"' and '\\' is copied in runs; UTF-8 is
  // validated only when a byte >= 0x80 appears (most strings have none).
  auto plain = [](unsigned char c) {
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
  };
  int valid_utf8 = -1;  // unknown yet
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
    out->append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (valid_utf8 < 0)
        valid_utf8 = simdjson::validate_utf8(s.data(), s.size());
      size_t len = valid_utf8 ? 1 : Utf8SequenceLength(s, i);
      if (len == 0) {
        *out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out->append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:  // another control character
        *out += "\\u00";
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
    ++i;
  }
  out->push_back('"');
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string IndentJson(std::string_view json, int indent) {
  std::string out;
  out.reserve(json.size() * 2);
  int depth = 0;
  auto newline = [&]() {
    out.push_back('\n');
    // Malformed input may close more than it opened; never go below 0.
    out.append(static_cast<size_t>(std::max(depth, 0)) *
                   static_cast<size_t>(std::max(indent, 0)),
               ' ');
  };
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    switch (c) {
      case '"': {
        // Copy the string through, escapes included.
        size_t j = i + 1;
        while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
        out.append(json.substr(i, std::min(j, json.size() - 1) - i + 1));
        i = j;
        break;
      }
      case '{':
      case '[': {
        size_t j = i + 1;
        while (j < json.size() && (json[j] == ' ' || json[j] == '\n' ||
                                   json[j] == '\t' || json[j] == '\r')) {
          ++j;
        }
        if (j < json.size() && (json[j] == '}' || json[j] == ']')) {
          out.push_back(c);
          out.push_back(json[j]);
          i = j;
          break;
        }
        out.push_back(c);
        ++depth;
        newline();
        break;
      }
      case '}':
      case ']':
        --depth;
        newline();
        out.push_back(c);
        break;
      case ',':
        out.push_back(',');
        newline();
        break;
      case ':':
        out += ": ";
        break;
      case ' ':
      case '\n':
      case '\t':
      case '\r':
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

bool IsValidCedarName(std::string_view name) {
  return json_internal::IsValidName(name);
}

}  // namespace haven::cedar
