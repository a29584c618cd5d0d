#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

namespace haven::ledger {
namespace {

TEST(Checkpoint, FormatsThreeLinesAndParsesBack) {
  Checkpoint cp{"haven.example/audit", 42, HashLeaf("x"), {}};
  std::string text = cp.ToText();
  EXPECT_EQ(text,
            "haven.example/audit\n42\n" +
                std::string("PH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=") +
                "\n");
  StatusOr<Checkpoint> back = ParseCheckpoint(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, cp);
}

TEST(Checkpoint, KeepsExtensionLines) {
  StatusOr<Checkpoint> cp = ParseCheckpoint(
      "o\n1\nPH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=\nfoo bar\n");
  ASSERT_TRUE(cp.ok());
  ASSERT_EQ(cp->extensions.size(), 1u);
  EXPECT_EQ(cp->extensions[0], "foo bar");
}

TEST(Checkpoint, RejectsMalformedBodies) {
  const std::string root = "PH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=";
  for (const std::string& bad : {
           "o\n1\n" + root,                            // no final newline
           std::string("o\n1\n"),                      // two lines
           "\n1\n" + root + "\n",                      // empty origin
           "o\n01\n" + root + "\n",                    // leading zero
           "o\n-1\n" + root + "\n",                    // sign
           "o\n18446744073709551616\n" + root + "\n",  // overflow
           std::string("o\n1\nAAAA\n"),                // short root
           "o\n1\n" + root + "\n\n",                   // empty extension
       }) {
    EXPECT_FALSE(ParseCheckpoint(bad).ok()) << bad;
  }
  uint64_t v;
  EXPECT_TRUE(ParseDecimal("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_TRUE(ParseDecimal("0", &v));
}

TEST(Checkpoint, OpenRequiresTheKeyAndItsName) {
  StatusOr<Signer> s = Signer::Generate("haven.example/audit");
  Checkpoint cp{"haven.example/audit", 3, HashLeaf("r"), {}};
  std::string note = *s->Sign(cp.ToText());
  StatusOr<Checkpoint> got = OpenCheckpoint(note, s->verifier());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, cp);
  // Origin that is not the key's name: refused.
  Checkpoint other{"someone.else", 3, HashLeaf("r"), {}};
  EXPECT_FALSE(OpenCheckpoint(*s->Sign(other.ToText()), s->verifier()).ok());
  StatusOr<Signer> t = Signer::Generate("haven.example/audit");
  EXPECT_FALSE(OpenCheckpoint(note, t->verifier()).ok());
}

}  // namespace
}  // namespace haven::ledger
