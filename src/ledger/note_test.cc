#include "ledger/note.h"

#include <gtest/gtest.h>

namespace haven::ledger {
namespace {

// The key and note of golang.org/x/mod/sumdb/note's own tests and docs.
constexpr char kGoVkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kGoSkey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+"
    "Y7hfZx09iUvxdXHKDFz";
constexpr char kGoText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kGoSig[] =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnA"
    "M=\n";

TEST(Note, SigningReproducesGoNoteByteForByte) {
  StatusOr<Signer> s = Signer::Parse(kGoSkey);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->verifier().ToString(), kGoVkey);
  EXPECT_EQ(s->ToString(), kGoSkey);
  StatusOr<std::string> note = s->Sign(kGoText);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(*note, std::string(kGoText) + "\n" + kGoSig);
}

TEST(Note, OpensGoNoteWithGoVerifierKey) {
  StatusOr<VerifierKey> key = ParseVerifierKey(kGoVkey);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->key_id, 0xc74f20a3u);
  StatusOr<std::string> text =
      OpenNote(std::string(kGoText) + "\n" + kGoSig, {&*key, 1});
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, kGoText);
}

TEST(Note, KeyIdIsFirstFourBytesOfHashOfNameNewlineTypeKey) {
  StatusOr<VerifierKey> key = ParseVerifierKey(kGoVkey);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(KeyId("PeterNeumann", key->public_key), 0xc74f20a3u);
  EXPECT_NE(KeyId("PeterNeumann2", key->public_key), 0xc74f20a3u);
}

TEST(Note, RejectsEveryManglingOfTheVerifierKey) {
  std::string k = kGoVkey;
  for (size_t i = 0; i < k.size(); ++i) {
    std::string bad = k;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    if (bad == k) continue;
    EXPECT_FALSE(ParseVerifierKey(bad).ok()) << bad;
    EXPECT_FALSE(ParseVerifierKey(k.substr(0, i)).ok()) << i;
  }
  EXPECT_FALSE(ParseVerifierKey(k + "+").ok());
  EXPECT_FALSE(ParseVerifierKey(" " + k).ok());
  EXPECT_TRUE(ParseVerifierKey(k + "\n").ok());
}

TEST(Note, RejectsTamperedTextAndSignature) {
  StatusOr<VerifierKey> key = ParseVerifierKey(kGoVkey);
  ASSERT_TRUE(key.ok());
  std::string note = std::string(kGoText) + "\n" + kGoSig;
  std::string text_changed = note;
  text_changed[3] = 'X';
  EXPECT_EQ(OpenNote(text_changed, {&*key, 1}).status().code(),
            StatusCode::kVerificationFailed);
  std::string sig_changed = note;
  sig_changed[note.size() - 10] ^= 1;
  EXPECT_FALSE(OpenNote(sig_changed, {&*key, 1}).ok());
}

TEST(Note, RequiresASignatureByAKnownKey) {
  StatusOr<Signer> other = Signer::Generate("other.example/log");
  ASSERT_TRUE(other.ok());
  StatusOr<VerifierKey> go = ParseVerifierKey(kGoVkey);
  std::string note = *other->Sign("hello\n");
  EXPECT_FALSE(OpenNote(note, {&*go, 1}).ok());
  EXPECT_TRUE(OpenNote(note, {&other->verifier(), 1}).ok());
}

TEST(Note, IgnoresUnknownSignersButRejectsADuplicateKnownOne) {
  StatusOr<Signer> a = Signer::Generate("a.example");
  StatusOr<Signer> b = Signer::Generate("b.example");
  std::string note_a = *a->Sign("text\n");
  std::string note_b = *b->Sign("text\n");
  std::string line_b = note_b.substr(note_b.find("\n\n") + 2);
  std::string both = note_a + line_b;
  EXPECT_TRUE(OpenNote(both, {&a->verifier(), 1}).ok());
  std::string line_a = note_a.substr(note_a.find("\n\n") + 2);
  EXPECT_FALSE(OpenNote(note_a + line_a, {&a->verifier(), 1}).ok());
}

TEST(Note, ParseRejectsMalformedNotes) {
  const std::string sig = kGoSig;
  for (const std::string& bad : {
           std::string("no blank line\n") + sig,
           std::string("text\n\n"),  // no signatures
           std::string("text\n\n") + sig.substr(0, sig.size() - 1),  // no \n
           std::string("text\n\n- PeterNeumann AAAA\n"),  // hyphen, not dash
           std::string("te\x01xt\n\n") + sig,             // control char
           std::string("te\xff xt\n\n") + sig,            // not UTF-8
           std::string("text\n\n\xE2\x80\x94 PeterNeumann AAAA\n"),  // short
       }) {
    EXPECT_FALSE(ParseNote(bad).ok()) << bad;
  }
}

TEST(Note, KeyNamesHaveNoSpacesOrPlus) {
  EXPECT_TRUE(IsValidKeyName("haven.example/audit"));
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a\nb"));
  EXPECT_FALSE(Signer::Generate("a b").ok());
}

TEST(Note, GeneratedKeysRoundTripThroughTheirTextForms) {
  StatusOr<Signer> s = Signer::Generate("haven.example/audit");
  ASSERT_TRUE(s.ok());
  StatusOr<Signer> back = Signer::Parse(s->ToString() + "\n");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->verifier().ToString(), s->verifier().ToString());
  StatusOr<VerifierKey> v = ParseVerifierKey(s->verifier().ToString());
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(OpenNote(*back->Sign("x\n"), {&*v, 1}).ok());
}

}  // namespace
}  // namespace haven::ledger
