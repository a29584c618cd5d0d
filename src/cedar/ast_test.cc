#include "cedar/ast.h"

#include <gtest/gtest.h>

namespace haven::cedar {
namespace {

Policy Template(const char* id, bool principal_slot, bool resource_slot) {
  Policy t;
  t.id = id;
  if (principal_slot) {
    t.principal.op = EntityScope::Op::kIn;
    t.principal.slot = Slot::kPrincipal;
  }
  if (resource_slot) {
    t.resource.op = EntityScope::Op::kEq;
    t.resource.slot = Slot::kResource;
  }
  return t;
}

TEST(PolicySet, InstantiateFillsSlotsFromLinks) {
  PolicySet set;
  Policy p;
  p.id = "static";
  set.policies.push_back(p);
  set.templates.push_back(Template("t", true, true));
  set.links.push_back(
      {"link1", "t", EntityUid{"User", "a"}, EntityUid{"Doc", "d"}});
  Result<std::vector<Policy>> r = set.Instantiate();
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, "static");
  const Policy& l = (*r)[1];
  EXPECT_EQ(l.id, "link1");
  EXPECT_FALSE(l.is_template());
  EXPECT_EQ(l.principal.op, EntityScope::Op::kIn);
  EXPECT_EQ(*l.principal.entity, (EntityUid{"User", "a"}));
  EXPECT_EQ(*l.resource.entity, (EntityUid{"Doc", "d"}));
}

TEST(PolicySet, InstantiateRejectsMissingTemplatesAndUnboundSlots) {
  PolicySet set;
  set.templates.push_back(Template("t", true, true));
  set.links.push_back({"l", "nope", EntityUid{"User", "a"}, std::nullopt});
  EXPECT_FALSE(set.Instantiate().ok());
  set.links = {{"l", "t", EntityUid{"User", "a"}, std::nullopt}};
  EXPECT_FALSE(set.Instantiate().ok());
}

TEST(PolicySet, InstantiateRejectsAValueForASlotTheTemplateLacks) {
  PolicySet set;
  set.templates.push_back(Template("t", true, false));
  set.links.push_back(
      {"l", "t", EntityUid{"User", "a"}, EntityUid{"Doc", "d"}});
  EXPECT_FALSE(set.Instantiate().ok());
}

TEST(PolicySet, InstantiateKeepsPoliciesBeforeLinksInOrder) {
  PolicySet set;
  set.templates.push_back(Template("t", true, false));
  set.links.push_back({"l1", "t", EntityUid{"User", "a"}, std::nullopt});
  set.links.push_back({"l2", "t", EntityUid{"User", "b"}, std::nullopt});
  Policy p;
  p.id = "p";
  set.policies.push_back(p);
  Result<std::vector<Policy>> r = set.Instantiate();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].id, "p");
  EXPECT_EQ((*r)[1].id, "l1");
  EXPECT_EQ((*r)[2].id, "l2");
  EXPECT_EQ((*r)[2].principal.entity->id, "b");
}

}  // namespace
}  // namespace haven::cedar
