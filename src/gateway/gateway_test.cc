#include "gateway/gateway.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <map>
#include <thread>

#include "directory/directory.h"
#include "records/import.h"
#include "records/records.h"

namespace haven::gateway {
namespace {

namespace fs = std::filesystem;

struct Answer {
  int status = 0;
  boost::json::value json;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "";
  }
  int64_t AuditIndex() const {
    return json.as_object().at("audit").as_object().at("index").as_int64();
  }
};

// A small city in a temporary data directory: the welcoming-city pack, the
// CPD, the FBI (a partner), ICE and the Inspector General, one token each,
// and a few hundred generated records.
class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("haven-gateway-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "policies");
    fs::copy_file(
        fs::path(HAVEN_SOURCE_DIR) / "policies/welcoming-city/policies.cedar",
        dir_ / "policies/welcoming-city.cedar");
    ASSERT_TRUE(
        ledger::Ledger::Create((dir_ / "ledger").string(), "test/log").ok());
    auto d = directory::Directory::Open((dir_ / "directory.db").string());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    struct A {
      const char *ori, *dept;
      bool sharing;
      const char* user;
      const char* role;
    };
    for (const A& a : {A{"ILCPD0000", "CITY", false, "cpd", "officer"},
                       A{"DCFBIWA00", "DOJ", true, "fbi", "officer"},
                       A{"DCICE0000", "DHS", false, "ice", "officer"},
                       A{"ILOIG0000", "CITY", false, "oig", "oversight"}}) {
      directory::Agency agency;
      agency.ori = a.ori;
      agency.name = a.ori;
      agency.department = a.dept;
      agency.component = a.ori;
      agency.sharing_agreement = a.sharing;
      ASSERT_TRUE((*d)->AddAgency(agency, "test").ok());
      directory::User u;
      u.id = a.user;
      u.agency_ori = a.ori;
      u.name = a.user;
      u.roles = {a.role};
      ASSERT_TRUE((*d)->AddUser(u, "test").ok());
      auto t = (*d)->IssueToken(a.user, std::chrono::hours(1), "test");
      ASSERT_TRUE(t.ok());
      tokens_[a.user] = t->secret;
    }
    auto store = records::Store::Open((dir_ / "records.db").string(), {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    records::GenerateOptions go;
    go.persons = 200;
    go.plate_reads = 500;
    go.warrants = 20;
    ASSERT_TRUE(records::Generate(**store, go).ok());
  }

  void TearDown() override {
    if (gateway_) gateway_->Close();
    gateway_.reset();
    fs::remove_all(dir_);
  }

  void Open(GatewayOptions options = {}) {
    options.data_dir = dir_.string();
    if (options.rate_per_second == GatewayOptions().rate_per_second) {
      options.rate_per_second = 0;
    }
    auto g = Gateway::Open(options);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    gateway_ = std::move(*g);
  }

  Answer Send(server::HttpRequest req) {
    std::promise<server::HttpResponse> p;
    std::future<server::HttpResponse> f = p.get_future();
    if (req.client_address.empty()) req.client_address = "127.0.0.1";
    gateway_->Handle(std::move(req), [&p](server::HttpResponse r) {
      p.set_value(std::move(r));
    });
    server::HttpResponse r = f.get();
    Answer a;
    a.status = r.status;
    a.headers = r.headers;
    if (r.content_type == "application/json")
      a.json = boost::json::parse(r.body);
    return a;
  }

  Answer Search(const std::string& user, const std::string& body) {
    server::HttpRequest req;
    req.method = "POST";
    req.target = "/v1/search";
    req.authorization = "Bearer " + tokens_[user];
    req.content_type = "application/json";
    req.body = body;
    return Send(std::move(req));
  }

  boost::json::object Entry(int64_t index) {
    auto e = gateway_->ledger().ReadEntries(index, index + 1);
    EXPECT_TRUE(e.ok());
    return boost::json::parse((*e)[0]).as_object();
  }

  static constexpr char kLopez[] =
      R"({"dataset":"persons","filter":{"last_name":"LOPEZ","first_name":"MARIA"},)"
      R"("purpose":"criminal-investigation","case_number":"C-1","reason":"robbery"})";

  fs::path dir_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(GatewayTest, LogsThePolicyLoadFirst) {
  Open();
  boost::json::object e = Entry(0);
  EXPECT_EQ(e.at("kind").as_string(), "policy-load");
  EXPECT_EQ(e.at("sha256").as_string().size(), 64u);
  EXPECT_NE(gateway_->Summary().find("sealed), bundle sha256 " +
                                     std::string(e.at("sha256").as_string())),
            std::string::npos)
      << gateway_->Summary();
  bool sealed_ban = false;
  for (const auto& id : e.at("sealed").as_array()) {
    sealed_ban |= id.as_string() == "dhs-cut-off";
  }
  EXPECT_TRUE(sealed_ban);
}

TEST_F(GatewayTest, AnswersTheCityAndRedactsForAPartner) {
  Open();
  Answer cpd = Search("cpd", kLopez);
  ASSERT_EQ(cpd.status, 200) << boost::json::serialize(cpd.json);
  const auto& results = cpd.json.at("results").as_array();
  ASSERT_GE(results.size(), 1u);
  EXPECT_TRUE(results[0].as_object().contains("nationality"));
  EXPECT_TRUE(cpd.json.at("withheld_fields").as_array().empty());

  Answer fbi = Search("fbi", kLopez);
  ASSERT_EQ(fbi.status, 200);
  for (const auto& r : fbi.json.at("results").as_array()) {
    EXPECT_FALSE(r.as_object().contains("nationality"));
    EXPECT_FALSE(r.as_object().contains("place_of_birth"));
    EXPECT_TRUE(r.as_object().contains("last_name"));
  }
  boost::json::object e = Entry(fbi.AuditIndex());
  EXPECT_EQ(e.at("user").as_string(), "fbi");
  EXPECT_EQ(e.at("decision").as_string(), "allow");
  EXPECT_EQ(e.at("result_count").as_int64(),
            static_cast<int64_t>(fbi.json.at("results").as_array().size()));
  EXPECT_EQ(e.at("withheld_fields").as_array().size(), 3u);
}

TEST_F(GatewayTest, RefusesIceNamingTheSealedPolicyAndFlagsIt) {
  Open();
  Answer a = Search("ice", kLopez);
  ASSERT_EQ(a.status, 403);
  const auto& err = a.json.at("error").as_object();
  EXPECT_EQ(err.at("code").as_string(), "forbidden");
  bool names_ban = false;
  for (const auto& p : err.at("policies").as_array()) {
    names_ban |= p.as_string() == "dhs-cut-off";
  }
  EXPECT_TRUE(names_ban) << boost::json::serialize(a.json);
  EXPECT_FALSE(err.at("reasons").as_array().empty());
  boost::json::object e = Entry(a.AuditIndex());
  EXPECT_EQ(e.at("decision").as_string(), "deny");
  EXPECT_TRUE(e.at("flagged").as_bool());
  EXPECT_FALSE(e.contains("result_count"));
}

TEST_F(GatewayTest, AHugeReasonIsA400WithTheReasonClippedInTheLedger) {
  Open();
  std::string reason(900000, 'x');  // under the 1 MiB body limit
  Answer a = Search(
      "fbi", R"({"dataset":"persons","filter":{"last_name":"LOPEZ"},)"
             R"("purpose":"officer-safety","case_number":"C-1","reason":")" +
                 reason + "\"}");
  ASSERT_EQ(a.status, 400) << boost::json::serialize(a.json);
  boost::json::object e = Entry(a.AuditIndex());
  EXPECT_LT(e.at("reason").as_string().size(), 2100u);
  EXPECT_NE(std::string_view(e.at("reason").as_string()).find("more bytes]"),
            std::string_view::npos);
}

TEST_F(GatewayTest, ARevokedTokenFailsAtOnceEvenWhenCached) {
  Open();
  auto d = directory::Directory::Open((dir_ / "directory.db").string());
  ASSERT_TRUE(d.ok());
  auto t = (*d)->IssueToken("fbi", std::chrono::hours(1), "custodian");
  ASSERT_TRUE(t.ok());
  tokens_["fbi2"] = t->secret;
  // Twice: the second answer comes from the credential cache.
  EXPECT_EQ(Search("fbi2", kLopez).status, 200);
  EXPECT_EQ(Search("fbi2", kLopez).status, 200);
  ASSERT_TRUE((*d)->RevokeToken(t->info.id, "custodian").ok());
  // The gateway asks the directory at most every 0.5 ms.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  Answer a = Search("fbi2", kLopez);
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(Entry(a.AuditIndex()).at("credential").as_string(), t->info.id);
  EXPECT_EQ(Search("fbi", kLopez).status, 200);  // the other token still works
}

TEST_F(GatewayTest, RateLimitsACredentialWith429AndRetryAfter) {
  GatewayOptions o;
  o.rate_per_second = 0.001;  // no refill during the test
  o.rate_burst = 3;
  Open(o);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Search("cpd", kLopez).status, 200);
  Answer a = Search("cpd", kLopez);
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.Header("Retry-After"), "1");
  EXPECT_EQ(Entry(a.AuditIndex()).at("status").as_int64(), 429);
  // Another credential is not affected.
  EXPECT_EQ(Search("fbi", kLopez).status, 200);
}

TEST_F(GatewayTest, AuditsUnknownPathsWrongMethodsAndMissingTokens) {
  Open();
  server::HttpRequest req;
  req.method = "GET";
  req.target = "/v1/nothing";
  req.authorization = "Bearer " + tokens_["cpd"];
  Answer a = Send(req);
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(Entry(a.AuditIndex()).at("path").as_string(), "/v1/nothing");

  req.target = "/v1/search";
  Answer b = Send(req);
  EXPECT_EQ(b.status, 405);
  EXPECT_EQ(b.Header("Allow"), "POST");

  req.authorization.clear();
  Answer c = Send(req);
  EXPECT_EQ(c.status, 401);
  EXPECT_EQ(c.Header("WWW-Authenticate"), "Bearer realm=\"haven\"");
  EXPECT_EQ(Entry(c.AuditIndex()).at("error").as_string(), "unauthenticated");
}

TEST_F(GatewayTest, AuditsARequestTheServerRefused) {
  Open();
  server::HttpRequest req;
  req.method = "POST";
  req.target = "/v1/search";
  req.authorization = "Bearer " + tokens_["fbi"];
  req.rejection = {413, "body_too_large", "the body exceeds 1048576 bytes"};
  Answer a = Send(req);
  EXPECT_EQ(a.status, 413);
  boost::json::object e = Entry(a.AuditIndex());
  EXPECT_EQ(e.at("status").as_int64(), 413);
  EXPECT_EQ(e.at("error").as_string(), "body_too_large");
  EXPECT_EQ(e.at("user").as_string(), "fbi");  // who, even so
}

TEST_F(GatewayTest, RecordsDirectoryChangesMadeWhileItRuns) {
  GatewayOptions o;
  o.change_poll = std::chrono::milliseconds(20);
  Open(o);
  uint64_t before = gateway_->ledger().size();
  auto d = directory::Directory::Open((dir_ / "directory.db").string());
  ASSERT_TRUE(d.ok());
  directory::User u;
  u.id = "cpd.analyst";
  u.agency_ori = "ILCPD0000";
  u.name = "Analyst";
  u.roles = {"analyst"};
  ASSERT_TRUE((*d)->AddUser(u, "custodian").ok());
  for (int i = 0; i < 200 && gateway_->ledger().size() == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(gateway_->ledger().size(), before + 1);
  boost::json::object e = Entry(static_cast<int64_t>(before));
  EXPECT_EQ(e.at("kind").as_string(), "directory");
  EXPECT_EQ(e.at("change").as_string(), "user.add");
  EXPECT_EQ(e.at("actor").as_string(), "custodian");
}

TEST_F(GatewayTest, RecordsImportedWhileItRunsAreSearchableWithin20Ms) {
  Open();
  const std::string body =
      R"({"dataset":"plate_reads","filter":{"plate":"ZZZ 9999"},)"
      R"("purpose":"criminal-investigation","case_number":"C-1","reason":"x"})";
  // Every worker's connection takes a snapshot now, before the import.
  for (int i = 0; i < 8; ++i) {
    Answer a = Search("cpd", body);
    ASSERT_EQ(a.status, 200);
    EXPECT_TRUE(a.json.at("results").as_array().empty());
  }
  {
    // Another Store on the same file, as `haven import` in another process.
    auto importer = records::Store::Open((dir_ / "records.db").string(), {});
    ASSERT_TRUE(importer.ok()) << importer.status().ToString();
    records::Record r;
    r.id = "RZZZ";
    r.values = {std::string("RZZZ"),
                std::string("ZZZ9999"),
                std::string("IL"),
                std::string("2025-01-01T00:00:00Z"),
                std::string("CAM-0001"),
                41.9,
                -87.7};
    ASSERT_TRUE(
        (*importer)
            ->Insert(records::Dataset::kPlateReads, std::vector{std::move(r)})
            .ok());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  for (int i = 0; i < 8; ++i) {  // whichever worker answers
    Answer a = Search("cpd", body);
    ASSERT_EQ(a.status, 200);
    ASSERT_EQ(a.json.at("results").as_array().size(), 1u) << "search " << i;
    EXPECT_EQ(a.json.at("results").at(0).at("id").as_string(), "RZZZ");
  }
}

TEST_F(GatewayTest, AnswersCarryAnyStoredTextAndNumberAsValidJson) {
  const std::string odd =
      "CAM \"7\" \\ tab\t nl\n \x01 caf\xC3\xA9 \xE2\x82\xAC";
  {
    auto store = records::Store::Open((dir_ / "records.db").string(), {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<records::Record> rows;
    for (int i = 0; i < 3; ++i) {
      records::Record r;
      r.id = "RODD" + std::to_string(i);
      r.values = {
          r.id,
          std::string("ODD0001"),
          std::string("IL"),
          std::string("2025-01-0") + std::to_string(i + 1) + "T00:00:00Z",
          i == 0 ? odd : std::string("CAM-0001"),
          i == 1 ? std::numeric_limits<double>::infinity() : 1e-300,
          i == 2 ? records::FieldValue{} : records::FieldValue{-87.5}};
      rows.push_back(std::move(r));
    }
    ASSERT_TRUE((*store)->Insert(records::Dataset::kPlateReads, rows).ok());
  }
  Open();
  Answer a = Search(
      "cpd",
      R"({"dataset":"plate_reads","filter":{"plate":"ODD0001"},)"
      R"("purpose":"criminal-investigation","case_number":"C-1","reason":"x"})");
  ASSERT_EQ(a.status, 200);
  const boost::json::array& results = a.json.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  std::map<std::string, boost::json::object> by_id;
  for (const auto& r : results) {
    by_id[std::string(r.at("id").as_string())] = r.as_object();
  }
  EXPECT_EQ(by_id["RODD0"].at("camera_id").as_string(), odd);
  EXPECT_EQ(by_id["RODD0"].at("latitude").as_double(), 1e-300);
  EXPECT_EQ(by_id["RODD0"].at("longitude").as_double(), -87.5);
  EXPECT_EQ(by_id["RODD1"].at("camera_id").as_string(), "CAM-0001");
  EXPECT_TRUE(by_id["RODD1"].at("latitude").is_null());  // no JSON infinity
  EXPECT_TRUE(by_id["RODD2"].at("longitude").is_null());
  EXPECT_EQ(by_id["RODD2"].at("read_at").as_string(), "2025-01-03T00:00:00Z");
}

TEST_F(GatewayTest, EntriesAreForOversightOnly) {
  Open();
  server::HttpRequest req;
  req.method = "GET";
  req.target = "/v1/ledger/entries?from=0&to=1";
  req.authorization = "Bearer " + tokens_["oig"];
  Answer a = Send(req);
  ASSERT_EQ(a.status, 200) << boost::json::serialize(a.json);
  ASSERT_EQ(a.json.at("entries").as_array().size(), 1u);
  // The entry exactly as logged: a string anyone can hash.
  auto raw = gateway_->ledger().ReadEntries(0, 1);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(a.json.at("entries").as_array()[0].as_string(), (*raw)[0]);
  req.authorization = "Bearer " + tokens_["fbi"];
  EXPECT_EQ(Send(req).status, 403);
  req.target = "/v1/ledger/entries?from=x";
  req.authorization = "Bearer " + tokens_["oig"];
  EXPECT_EQ(Send(req).status, 400);
}

}  // namespace
}  // namespace haven::gateway
