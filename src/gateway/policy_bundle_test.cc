#include "gateway/policy_bundle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace haven::gateway {
namespace {

TEST(PolicyBundle, NamesPoliciesByTheirIdAnnotation) {
  StatusOr<PolicyBundle> b =
      PolicyBundle::FromText("p.cedar",
                             "@id(\"ban\") @sealed @reason(\"no\")\n"
                             "forbid (principal, action, resource);\n"
                             "permit (principal, action, resource);\n");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->ids().size(), 2u);
  EXPECT_EQ(b->ids()[0], "ban");
  EXPECT_EQ(b->ids()[1], "p.cedar:policy1");
  EXPECT_EQ(b->ReasonOf("ban"), "no");
  EXPECT_EQ(b->ReasonOf("p.cedar:policy1"), "");
  EXPECT_TRUE(b->IsSealed("ban"));
  EXPECT_FALSE(b->IsSealed("p.cedar:policy1"));
  EXPECT_EQ(b->authorizer().size(), 2u);
}

TEST(PolicyBundle, RefusesDuplicateIdsAndSaysWhereAParseFailed) {
  StatusOr<PolicyBundle> b = PolicyBundle::FromText(
      "p.cedar",
      "@id(\"x\") permit (principal, action, resource);\n"
      "@id(\"x\") forbid (principal, action, resource);\n");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("duplicate policy id \"x\""),
            std::string::npos);
  b = PolicyBundle::FromText("q.cedar", "permit (principal, action);");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("q.cedar: line 1"), std::string::npos)
      << b.status().message();
}

TEST(PolicyBundle, LoadsEveryCedarFileAndHashesThem) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("haven-policy-bundle-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "b.cedar")
      << "@id(\"b\") permit (principal, action, resource);";
  std::ofstream(dir / "a.cedar")
      << "@id(\"a\") forbid (principal, action, resource);";
  std::ofstream(dir / "notes.txt") << "not a policy";
  StatusOr<PolicyBundle> b = PolicyBundle::Load(dir.string());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->ids().size(), 2u);
  EXPECT_EQ(b->ids()[0], "a");
  std::string before = b->sha256();
  EXPECT_EQ(before.size(), 64u);
  std::ofstream(dir / "b.cedar")
      << "@id(\"b\") permit (principal, action, resource) when { true };";
  StatusOr<PolicyBundle> changed = PolicyBundle::Load(dir.string());
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->sha256(), before);
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(PolicyBundle::Load(dir.string()).ok());
}

}  // namespace
}  // namespace haven::gateway
