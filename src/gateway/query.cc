#include "gateway/query.h"

#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

namespace haven::gateway {
namespace {

ApiError Bad(std::string code, std::string message) {
  return ApiError{400, std::move(code), std::move(message)};
}

std::string Join(std::span<const std::string_view> names) {
  std::string s;
  for (std::string_view n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

// Members of a JSON object, refusing duplicate keys (simdjson's DOM keeps
// them; at_key would silently take the first).
std::optional<ApiError> Members(
    simdjson::dom::object obj, std::string_view where,
    std::span<const std::string_view> allowed,
    std::vector<std::pair<std::string_view, simdjson::dom::element>>* out) {
  for (auto [key, value] : obj) {
    for (const auto& [seen, unused] : *out) {
      if (seen == key) {
        return Bad("duplicate_key", "at " + std::string(where) +
                                        ": duplicate key \"" +
                                        std::string(key) + "\"");
      }
    }
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Bad("unknown_field", "at " + std::string(where) +
                                      ": unknown field \"" + std::string(key) +
                                      "\"; expected one of " + Join(allowed));
    }
    out->emplace_back(key, value);
  }
  return std::nullopt;
}

std::optional<ApiError> String(simdjson::dom::element e, std::string path,
                               std::string* out) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) {
    return Bad("wrong_type", "at " + path + ": expected a string");
  }
  *out = std::string(s);
  return std::nullopt;
}

std::optional<ApiError> CheckJustification(const Justification& j,
                                           bool has_purpose,
                                           bool has_case_number) {
  if (!has_purpose) {
    return Bad("missing_field",
               "at /purpose: missing; every query states a "
               "purpose");
  }
  if (std::find(std::begin(kPurposes), std::end(kPurposes), j.purpose) ==
      std::end(kPurposes)) {
    return Bad("invalid_value", "at /purpose: unknown purpose \"" + j.purpose +
                                    "\"; expected one of " + Join(kPurposes));
  }
  if (!has_case_number || j.case_number.empty()) {
    return Bad("missing_field",
               "at /case_number: missing; every query gives a case number");
  }
  if (j.case_number.size() > 64) {
    return Bad("invalid_value", "at /case_number: longer than 64 bytes");
  }
  if (j.reason.size() > 1024) {
    return Bad("invalid_value", "at /reason: longer than 1024 bytes");
  }
  return std::nullopt;
}

constexpr std::string_view kSearchFields[] = {
    "dataset", "filter",  "purpose", "case_number",
    "reason",  "warrant", "limit"};
constexpr std::string_view kWarrantFields[] = {"kind", "court", "judge",
                                               "number"};

}  // namespace

std::optional<ApiError> ParseSearchBody(std::string_view body,
                                        SearchQuery* out) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::error_code err = parser.parse(body.data(), body.size()).get(root);
  if (err != simdjson::SUCCESS) {
    return Bad("invalid_json", std::string("body is not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Bad("wrong_type", "at /: expected an object");
  }
  std::vector<std::pair<std::string_view, simdjson::dom::element>> members;
  if (auto e = Members(obj, "/", kSearchFields, &members)) return e;

  bool has_dataset = false, has_filter = false, has_purpose = false,
       has_case_number = false;
  for (const auto& [key, value] : members) {
    std::string path = "/" + std::string(key);
    if (key == "dataset") {
      std::string name;
      if (auto e = String(value, path, &name)) return e;
      std::optional<records::Dataset> d = records::ParseDataset(name);
      if (!d) {
        return Bad("invalid_value",
                   "at /dataset: unknown dataset \"" + name +
                       "\"; expected one of persons, incidents, vehicles, "
                       "plate_reads, warrants");
      }
      out->dataset = *d;
      has_dataset = true;
    } else if (key == "filter") {
      simdjson::dom::object f;
      if (value.get_object().get(f) != simdjson::SUCCESS) {
        return Bad("wrong_type", "at /filter: expected an object");
      }
      std::vector<std::pair<std::string_view, simdjson::dom::element>> fm;
      if (auto e = Members(f, "/filter", {}, &fm)) return e;
      for (const auto& [fk, fv] : fm) {
        std::string v;
        if (auto e = String(fv, "/filter/" + std::string(fk), &v)) return e;
        out->filter.emplace(std::string(fk), std::move(v));
      }
      has_filter = true;
    } else if (key == "purpose") {
      if (auto e = String(value, path, &out->why.purpose)) return e;
      has_purpose = true;
    } else if (key == "case_number") {
      if (auto e = String(value, path, &out->why.case_number)) return e;
      has_case_number = true;
    } else if (key == "reason") {
      if (auto e = String(value, path, &out->why.reason)) return e;
    } else if (key == "warrant") {
      simdjson::dom::object w;
      if (value.get_object().get(w) != simdjson::SUCCESS) {
        return Bad("wrong_type", "at /warrant: expected an object");
      }
      std::vector<std::pair<std::string_view, simdjson::dom::element>> wm;
      if (auto e = Members(w, "/warrant", kWarrantFields, &wm)) return e;
      Warrant warrant;
      for (const auto& [wk, wv] : wm) {
        std::string* field = wk == "kind"    ? &warrant.kind
                             : wk == "court" ? &warrant.court
                             : wk == "judge" ? &warrant.judge
                                             : &warrant.number;
        if (auto e = String(wv, "/warrant/" + std::string(wk), field)) return e;
      }
      if (warrant.kind.empty()) {
        return Bad("missing_field", "at /warrant/kind: missing");
      }
      out->why.warrant = std::move(warrant);
    } else if (key == "limit") {
      int64_t n;
      if (value.get_int64().get(n) != simdjson::SUCCESS) {
        return Bad("wrong_type", "at /limit: expected an integer");
      }
      if (n < 1 || n > kMaxLimit) {
        return Bad("invalid_value", "at /limit: must be between 1 and " +
                                        std::to_string(kMaxLimit));
      }
      out->limit = static_cast<int>(n);
    }
  }
  if (!has_dataset) return Bad("missing_field", "at /dataset: missing");
  if (!has_filter) return Bad("missing_field", "at /filter: missing");
  if (auto e = CheckJustification(out->why, has_purpose, has_case_number)) {
    return e;
  }
  Status s = records::ValidateFilter(out->dataset, out->filter);
  if (!s.ok()) return Bad("invalid_filter", s.message());
  return std::nullopt;
}

std::optional<ApiError> ParseQueryString(
    std::string_view query,
    std::vector<std::pair<std::string, std::string>>* out) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  auto decode = [&](std::string_view in, std::string* s) -> bool {
    s->clear();
    for (size_t i = 0; i < in.size(); ++i) {
      char c = in[i];
      if (c == '+') {
        *s += ' ';
      } else if (c == '%') {
        if (i + 2 >= in.size()) return false;
        int hi = hex(in[i + 1]);
        int lo = hex(in[i + 2]);
        if (hi < 0 || lo < 0) return false;
        *s += static_cast<char>(hi * 16 + lo);
        i += 2;
      } else {
        *s += c;
      }
    }
    return true;
  };
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string name, value;
      if (!decode(part.substr(0, eq), &name) ||
          (eq != std::string_view::npos &&
           !decode(part.substr(eq + 1), &value))) {
        return Bad("bad_request", "query string: bad percent-encoding in \"" +
                                      std::string(part) + "\"");
      }
      out->emplace_back(std::move(name), std::move(value));
    }
    pos = amp + 1;
  }
  return std::nullopt;
}

std::optional<ApiError> ParseJustificationParams(std::string_view query,
                                                 Justification* out) {
  static constexpr std::string_view kParams[] = {
      "purpose",       "case_number",   "reason",        "warrant_kind",
      "warrant_court", "warrant_judge", "warrant_number"};
  std::vector<std::pair<std::string, std::string>> params;
  if (auto e = ParseQueryString(query, &params)) return e;
  bool has_purpose = false, has_case_number = false;
  Warrant warrant;
  bool has_warrant = false;
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& [name, value] = params[i];
    for (size_t j = 0; j < i; ++j) {
      if (params[j].first == name) {
        return Bad("duplicate_key",
                   "query parameter \"" + name + "\" given twice");
      }
    }
    if (name == "purpose") {
      out->purpose = value;
      has_purpose = true;
    } else if (name == "case_number") {
      out->case_number = value;
      has_case_number = true;
    } else if (name == "reason") {
      out->reason = value;
    } else if (name.starts_with("warrant_") &&
               std::find(std::begin(kParams), std::end(kParams), name) !=
                   std::end(kParams)) {
      has_warrant = true;
      std::string_view f = std::string_view(name).substr(8);
      (f == "kind"    ? warrant.kind
       : f == "court" ? warrant.court
       : f == "judge" ? warrant.judge
                      : warrant.number) = value;
    } else {
      return Bad("unknown_field", "unknown query parameter \"" + name +
                                      "\"; expected one of " + Join(kParams));
    }
  }
  if (has_warrant) {
    if (warrant.kind.empty()) {
      return Bad("missing_field", "query parameter warrant_kind: missing");
    }
    out->warrant = std::move(warrant);
  }
  return CheckJustification(*out, has_purpose, has_case_number);
}

}  // namespace haven::gateway
