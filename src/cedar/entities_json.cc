// Entities JSON, after cedar-policy-core's entities/json/entities.rs
// (EntityJson: uid, attrs and parents required in 4.13; tags optional;
// unknown fields ignored; duplicate keys rejected).
#include "cedar/entities_json.h"

#include <algorithm>
#include <utility>

#include "cedar/json_internal.h"

namespace haven::cedar {

using json_internal::Element;
using json_internal::ErrorAt;
using json_internal::JsonPath;
using json_internal::Object;

namespace {

// Reads a map of attribute (or tag) values into a record sorted by key.
Status ReadAttrMap(Element e, const JsonPath& path, ValueRecord* out) {
  if (!e.is_object()) {
    return ErrorAt(path, "expected an object of attributes, found " +
                             json_internal::Describe(e));
  }
  Object obj = e.get_object().value_unsafe();
  std::vector<RecordField> fields;
  fields.reserve(obj.size());
  for (auto field : obj) {
    Result<Value> v =
        json_internal::ReadValue(field.value, path.Key(field.key));
    if (!v.ok()) return v.error();
    fields.emplace_back(std::string(field.key), std::move(*v));
  }
  auto by_key = [](const RecordField& a, const RecordField& b) {
    return a.first < b.first;
  };
  if (!std::is_sorted(fields.begin(), fields.end(), by_key)) {
    std::sort(fields.begin(), fields.end(), by_key);
  }
  for (size_t i = 1; i < fields.size(); ++i) {
    if (fields[i].first == fields[i - 1].first) {
      return ErrorAt(path, "duplicate key `" + fields[i].first + "`");
    }
  }
  *out = std::move(fields);
  return {};
}

Status ReadEntity(Element e, const JsonPath& path, Entity* out) {
  if (!e.is_object()) {
    return ErrorAt(
        path, "expected an entity object, found " + json_internal::Describe(e));
  }
  // One pass over the fields. Unknown fields are ignored, as Cedar's serde
  // struct ignores them; a known field may not repeat.
  Element uid, attrs, parents, tags;
  bool has_uid = false, has_attrs = false, has_parents = false,
       has_tags = false;
  Object obj = e.get_object().value_unsafe();
  for (auto field : obj) {
    std::string_view k = field.key;
    Element* slot;
    bool* seen;
    if (k == "uid") {
      slot = &uid, seen = &has_uid;
    } else if (k == "attrs") {
      slot = &attrs, seen = &has_attrs;
    } else if (k == "parents") {
      slot = &parents, seen = &has_parents;
    } else if (k == "tags") {
      slot = &tags, seen = &has_tags;
    } else {
      continue;
    }
    if (*seen) return ErrorAt(path, "duplicate key `" + std::string(k) + "`");
    *seen = true;
    *slot = field.value;
  }

  if (!has_uid) return ErrorAt(path, "missing field `uid`");
  Result<EntityUid> u = json_internal::ReadUid(uid, path.Key("uid"));
  if (!u.ok()) return u.error();
  out->uid = std::move(*u);

  if (!has_attrs) return ErrorAt(path, "missing field `attrs`");
  Status s = ReadAttrMap(attrs, path.Key("attrs"), &out->attrs);
  if (!s.ok()) return s;

  if (!has_parents) return ErrorAt(path, "missing field `parents`");
  JsonPath parents_path = path.Key("parents");
  if (!parents.is_array()) {
    return ErrorAt(parents_path,
                   "expected an array of entity references, "
                   "found " +
                       json_internal::Describe(parents));
  }
  json_internal::Array arr = parents.get_array().value_unsafe();
  out->parents.reserve(arr.size());
  size_t i = 0;
  for (Element p : arr) {
    Result<EntityUid> pu = json_internal::ReadUid(p, parents_path.Index(i++));
    if (!pu.ok()) return pu.error();
    out->parents.push_back(std::move(*pu));
  }

  if (has_tags) {
    s = ReadAttrMap(tags, path.Key("tags"), &out->tags);
    if (!s.ok()) return s;
  }
  return {};
}

void AppendRecordJson(const ValueRecord& rec, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [k, v] : rec) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(k, out);
    out->push_back(':');
    AppendValueJson(v, out);
  }
  out->push_back('}');
}

}  // namespace

Result<std::vector<Entity>> ReadEntitiesJson(std::string_view json,
                                             const JsonLimits& limits) {
  Result<Element> root = json_internal::ParseJson(json, limits);
  if (!root.ok()) return root.error();
  JsonPath path;
  if (!root->is_array()) {
    return ErrorAt(path, "expected an array of entities, found " +
                             json_internal::Describe(*root));
  }
  json_internal::Array arr = root->get_array().value_unsafe();
  std::vector<Entity> entities(arr.size());
  size_t i = 0;
  for (Element e : arr) {
    Status s = ReadEntity(e, path.Index(i), &entities[i]);
    if (!s.ok()) return s.error();
    ++i;
  }
  return entities;
}

std::string WriteEntitiesJson(const std::vector<Entity>& entities) {
  std::string out = "[";
  bool first = true;
  for (const Entity& e : entities) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"uid\":";
    AppendEntityUidJson(e.uid, &out);
    out += ",\"attrs\":";
    AppendRecordJson(e.attrs, &out);
    out += ",\"parents\":[";
    for (size_t i = 0; i < e.parents.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendEntityUidJson(e.parents[i], &out);
    }
    out.push_back(']');
    if (!e.tags.empty()) {
      out += ",\"tags\":";
      AppendRecordJson(e.tags, &out);
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace haven::cedar
