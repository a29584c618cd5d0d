#include "gateway/entities.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cedar/extensions.h"
#include "records/records.h"

namespace haven::gateway {
namespace {

using cedar::Entity;
using cedar::EntityUid;
using cedar::Value;

Entity Make(std::string type, std::string id,
            std::vector<cedar::RecordField> attrs,
            std::vector<EntityUid> parents = {}) {
  Entity e;
  e.uid = EntityUid{std::move(type), std::move(id)};
  std::sort(attrs.begin(), attrs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  e.attrs = std::move(attrs);
  e.parents = std::move(parents);
  return e;
}

}  // namespace

StatusOr<cedar::EntityStore> BuildEntityStore(
    const directory::Snapshot& snapshot) {
  std::vector<Entity> out;
  std::set<std::string> departments;
  std::map<std::string, const directory::Agency*> agencies;
  for (const directory::Agency& a : snapshot.agencies) {
    agencies[a.ori] = &a;
    departments.insert(a.department);
    std::vector<EntityUid> parents = {{"Department", a.department}};
    if (a.sharing_agreement) {
      parents.push_back({"Sharing", "criminal-justice-partners"});
    }
    out.push_back(Make(
        "Agency", a.ori,
        {{"name", Value::String(a.name)},
         {"jurisdiction", Value::String(std::string(
                              directory::JurisdictionName(a.jurisdiction)))},
         {"department", Value::String(a.department)},
         {"component", Value::String(a.component)}},
        std::move(parents)));
  }
  for (const std::string& d : departments) {
    out.push_back(Make("Department", d, {{"name", Value::String(d)}}));
  }
  out.push_back(Make("Sharing", "criminal-justice-partners", {}));
  for (const directory::Group& g : snapshot.groups) {
    out.push_back(
        Make("TaskForce", g.id,
             {{"name", Value::String(g.name)},
              {"lead", Value::Entity(EntityUid{"Agency", g.lead_ori})}},
             {{"Agency", g.lead_ori}}));
  }
  for (const directory::User& u : snapshot.users) {
    auto it = agencies.find(u.agency_ori);
    if (it == agencies.end()) {
      return Status::Internal("user " + u.id + ": unknown agency " +
                              u.agency_ori);
    }
    const directory::Agency& a = *it->second;
    std::vector<Value> roles;
    for (const std::string& r : u.roles) roles.push_back(Value::String(r));
    std::vector<cedar::RecordField> attrs = {
        {"name", Value::String(u.name)},
        {"roles", Value::Set(std::move(roles))},
        {"department", Value::String(a.department)},
        {"agency", Value::Entity(EntityUid{"Agency", a.ori})}};
    if (!a.network.empty()) {
      cedar::Result<Value> ip = cedar::ParseIp(a.network);
      if (!ip.ok()) {
        return Status::Internal("agency " + a.ori +
                                ": network: " + ip.error().message());
      }
      attrs.emplace_back("network", std::move(*ip));
    }
    std::vector<EntityUid> parents = {{"Agency", a.ori}};
    for (const std::string& g : u.groups) parents.push_back({"TaskForce", g});
    out.push_back(Make("User", u.id, std::move(attrs), std::move(parents)));
  }

  out.push_back(Make("FieldClass", "protected", {}));
  out.push_back(Make("FieldClass", "ordinary", {}));
  std::set<std::string_view> fields;
  for (records::Dataset d : records::kAllDatasets) {
    std::string name(records::DatasetName(d));
    out.push_back(Make("Dataset", name, {{"name", Value::String(name)}}));
    for (const records::FieldSpec& f : records::SchemaOf(d).fields) {
      if (!fields.insert(f.name).second) continue;
      out.push_back(
          Make("Field", std::string(f.name), {{"dataset", Value::String(name)}},
               {{"FieldClass", f.is_protected ? "protected" : "ordinary"}}));
    }
  }
  out.push_back(Make("Ledger", "audit", {}));
  for (const char* action :
       {"search", "read-record", "read-field", "read-ledger"}) {
    out.push_back(Make("Action", action, {}));
  }
  cedar::Result<cedar::EntityStore> store =
      cedar::EntityStore::Build(std::move(out));
  if (!store.ok()) return Status::Internal(store.error().message());
  return std::move(*store);
}

}  // namespace haven::gateway
