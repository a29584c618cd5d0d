// CanonicalJson: the one way Haven writes a JSON object that others hash.
//
// Audit entries (DESIGN.md, "Formats that others can check") are one JSON
// object with keys sorted by their UTF-8 bytes, at every depth, and no
// insignificant whitespace, so that the same facts always give the same
// bytes.
//
//   boost::json::object o{{"b", 1}, {"a", "x"}};
//   CanonicalJson(o) == R"({"a":"x","b":1})"
//
// Pure and thread-safe.
#ifndef HAVEN_BASE_CANONICAL_JSON_H_
#define HAVEN_BASE_CANONICAL_JSON_H_

#include <boost/json/value.hpp>
#include <string>

namespace haven {

// `v` serialized with every object's keys sorted and no whitespace. Strings
// are escaped as Boost.JSON does (control characters as \uXXXX; other
// UTF-8 as is).
std::string CanonicalJson(const boost::json::value& v);

}  // namespace haven

#endif  // HAVEN_BASE_CANONICAL_JSON_H_
