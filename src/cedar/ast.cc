// PolicySet::Instantiate: template links become ordinary policies.

#include "cedar/ast.h"

#include <unordered_map>

namespace haven::cedar {
namespace {

// Replaces the slot of one scope with the link's entity.
Status FillSlot(EntityScope& scope, const std::optional<EntityUid>& value,
                const TemplateLink& link, const char* slot_name) {
  if (!scope.slot) return Status();
  if (!value) {
    return Error("template link `" + link.id + "` leaves slot `" + slot_name +
                 "` of template `" + link.template_id + "` unbound");
  }
  scope.entity = *value;
  scope.slot.reset();
  return Status();
}

}  // namespace

Result<std::vector<Policy>> PolicySet::Instantiate() const {
  std::vector<Policy> out;
  out.reserve(policies.size() + links.size());
  out.insert(out.end(), policies.begin(), policies.end());
  std::unordered_map<std::string_view, const Policy*> by_id;
  for (const Policy& t : templates) by_id.emplace(t.id, &t);
  for (const TemplateLink& link : links) {
    auto it = by_id.find(link.template_id);
    if (it == by_id.end()) {
      return Error("template link `" + link.id + "` names template `" +
                   link.template_id + "`, which does not exist");
    }
    const Policy& t = *it->second;
    // A value for a slot the template does not have is an error in Cedar.
    if ((link.principal && !t.principal.slot) ||
        (link.resource && !t.resource.slot)) {
      return Error("template link `" + link.id +
                   "` binds a slot that template `" + link.template_id +
                   "` does not have");
    }
    Policy p = t;
    p.id = link.id;
    Status s = FillSlot(p.principal, link.principal, link, "?principal");
    if (!s.ok()) return s.error();
    s = FillSlot(p.resource, link.resource, link, "?resource");
    if (!s.ok()) return s.error();
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace haven::cedar
