#include "gateway/reason_flags.h"

#include <gtest/gtest.h>

namespace haven::gateway {
namespace {

bool Flagged(std::string_view reason) { return !ReasonFlags(reason).empty(); }

TEST(ReasonFlags, CatchesTheProxyLookupsOf2025) {
  EXPECT_TRUE(Flagged("ICE+ERO"));
  EXPECT_TRUE(Flagged("assist ICE ERO"));
  EXPECT_TRUE(Flagged("ice-ero request"));
  EXPECT_TRUE(Flagged("per HSI"));
  EXPECT_TRUE(Flagged("Immigration violation"));
  EXPECT_TRUE(Flagged("deportation case"));
  EXPECT_TRUE(Flagged("DETAINER follow-up"));
  EXPECT_TRUE(Flagged("I-247A"));
  EXPECT_TRUE(Flagged("i-247"));
  EXPECT_TRUE(Flagged("287(g) agreement"));
  EXPECT_TRUE(Flagged("removal proceedings"));
  EXPECT_TRUE(Flagged("--CBP--"));
}

TEST(ReasonFlags, LeavesOrdinaryReasonsAlone) {
  EXPECT_FALSE(Flagged(""));
  EXPECT_FALSE(Flagged("armed robbery follow-up"));
  EXPECT_FALSE(Flagged("police officer safety"));  // "police" holds "ice"
  EXPECT_FALSE(Flagged("service of a judicial warrant"));  // "service"
  EXPECT_FALSE(Flagged("price gouging at a gas station"));
  EXPECT_FALSE(Flagged("hit and run, heroin"));
}

TEST(ReasonFlags, NamesTheFlagThePoliciesTest) {
  std::vector<std::string> flags = ReasonFlags("assist ICE");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0], "immigration-terms");
}

}  // namespace
}  // namespace haven::gateway
