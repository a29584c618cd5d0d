#include "gateway/policy_bundle.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cedar/parser.h"
#include "gateway/audit.h"

namespace haven::gateway {

StatusOr<PolicyBundle> PolicyBundle::Load(std::string_view dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(dir), ec)) {
    if (entry.path().extension() == ".cedar") {
      names.push_back(entry.path().filename().string());
    }
  }
  if (ec) {
    return Status::NotFound("policies: " + std::string(dir) + ": " +
                            ec.message());
  }
  if (names.empty()) {
    return Status::NotFound("policies: no *.cedar file in " + std::string(dir));
  }
  std::sort(names.begin(), names.end());
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& name : names) {
    std::string path = std::string(dir) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return Status::IOError("policies: cannot read " + path);
    }
    files.emplace_back(name, ss.str());
  }
  return FromFiles(files);
}

StatusOr<PolicyBundle> PolicyBundle::FromText(std::string_view name,
                                              std::string_view text) {
  return FromFiles({{std::string(name), std::string(text)}});
}

StatusOr<PolicyBundle> PolicyBundle::FromFiles(
    const std::vector<std::pair<std::string, std::string>>& files) {
  PolicyBundle b;
  std::string hashed;
  std::vector<cedar::Policy> all;
  for (const auto& [name, text] : files) {
    hashed += name + "\n" + std::to_string(text.size()) + "\n" + text;
    cedar::Result<cedar::PolicySet> set = cedar::ParsePolicySet(text);
    if (!set.ok()) {
      return Status::InvalidArgument("policies: " + name + ": " +
                                     set.error().message());
    }
    if (!set->templates.empty() || !set->links.empty()) {
      return Status::InvalidArgument("policies: " + name +
                                     ": templates are not supported here");
    }
    for (cedar::Policy& p : set->policies) {
      const std::string* id = p.Annotation("id");
      p.id = id ? *id : name + ":" + p.id;
      if (b.reasons_.count(p.id)) {
        return Status::InvalidArgument(
            "policies: " + name + ": duplicate policy id \"" + p.id + "\"");
      }
      const std::string* reason = p.Annotation("reason");
      b.reasons_[p.id] = reason ? *reason : "";
      b.sealed_[p.id] = p.Annotation("sealed") != nullptr;
      b.ids_.push_back(p.id);
      all.push_back(std::move(p));
    }
  }
  b.authorizer_ = std::make_shared<const cedar::Authorizer>(
      cedar::Authorizer::FromPolicies(std::move(all)));
  b.sha256_ = Sha256Hex(hashed);
  return b;
}

const std::string& PolicyBundle::ReasonOf(const std::string& id) const {
  static const std::string kNone;
  auto it = reasons_.find(id);
  return it == reasons_.end() ? kNone : it->second;
}

bool PolicyBundle::IsSealed(const std::string& id) const {
  auto it = sealed_.find(id);
  return it != sealed_.end() && it->second;
}

}  // namespace haven::gateway
