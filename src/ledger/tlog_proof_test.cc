#include "ledger/tlog_proof.h"

#include <gtest/gtest.h>

#include "ledger/merkle.h"

namespace haven::ledger {
namespace {

struct Fixture {
  Signer signer = *Signer::Generate("haven.example/audit");
  InMemoryTree tree;
  std::string note;
  Fixture() {
    for (int i = 0; i < 11; ++i) tree.Append("e" + std::to_string(i));
    Checkpoint cp{"haven.example/audit", 11, tree.RootAt(11), {}};
    note = *signer.Sign(cp.ToText());
  }
};

TEST(TlogProof, FormatsTheC2spLayout) {
  TlogProof p;
  p.index = 3;
  p.hashes = {HashLeaf("a")};
  p.checkpoint = "o\n1\nx\n\n\xE2\x80\x94 o AAAA\n";
  EXPECT_EQ(p.ToText(),
            "c2sp.org/tlog-proof@v1\nindex 3\n"
            "Aippeebat6pa5MPl5F9+l3ESp+Y1k4INvsHsc4ok+Tw=\n\n" +
                p.checkpoint);
  p.extra = "ctx";
  EXPECT_EQ(p.ToText().substr(0, 33), "c2sp.org/tlog-proof@v1\nextra Y3R4");
}

TEST(TlogProof, RoundTripsAndVerifies) {
  Fixture f;
  for (uint64_t i = 0; i < 11; ++i) {
    TlogProof p;
    p.index = i;
    p.hashes = *InclusionProof(i, 11, f.tree);
    p.checkpoint = f.note;
    if (i == 5) p.extra = "extra data";
    StatusOr<TlogProof> back = ParseTlogProof(p.ToText());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->index, i);
    EXPECT_EQ(back->extra, p.extra);
    StatusOr<Checkpoint> cp =
        VerifyTlogProof(*back, "e" + std::to_string(i), f.signer.verifier());
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    EXPECT_EQ(cp->size, 11u);
    EXPECT_FALSE(VerifyTlogProof(*back, "other", f.signer.verifier()).ok());
  }
}

TEST(TlogProof, RejectsMalformedProofs) {
  Fixture f;
  TlogProof p;
  p.index = 2;
  p.hashes = *InclusionProof(2, 11, f.tree);
  p.checkpoint = f.note;
  std::string good = p.ToText();
  ASSERT_TRUE(ParseTlogProof(good).ok());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  for (const std::string& bad : {
           replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
           replace("index 2", "index 02"), replace("index 2", "index -2"),
           replace("index 2\n", "index 2\nextra AAAA\n"),  // extra out of place
           replace("index 2\n", "index 2\nnot-base64\n"),
           good.substr(0, good.find("\n\n")),  // no checkpoint
       }) {
    EXPECT_FALSE(ParseTlogProof(bad).ok()) << bad;
  }
  // A valid layout with a wrong index fails verification.
  StatusOr<TlogProof> q = ParseTlogProof(replace("index 2", "index 3"));
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(VerifyTlogProof(*q, "e2", f.signer.verifier()).ok());
}

}  // namespace
}  // namespace haven::ledger
