#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace haven::server {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// A handler that answers "METHOD TARGET BODY", or a JSON error for a
// rejection; it can also answer later from its own thread, or keep the
// Responder for the test to call.

class TestHandler : public Handler {
 public:
  enum class Mode { kImmediate, kDelayed, kKeep };

  explicit TestHandler(Mode mode = Mode::kImmediate) : mode_(mode) {}
  ~TestHandler() override {
    for (auto& t : threads_) t.join();
  }

  void Handle(HttpRequest request, Responder respond) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      seen_.push_back(request);
    }
    if (request.rejection.status != 0) {
      respond(ErrorResponse(request.rejection.status, request.rejection.code,
                            request.rejection.message));
      return;
    }
    HttpResponse r;
    r.content_type = "text/plain";
    r.body = request.method + " " + request.target + " " + request.body;
    r.headers.emplace_back("X-Client", request.client_address);
    switch (mode_) {
      case Mode::kImmediate:
        respond(std::move(r));
        break;
      case Mode::kDelayed: {
        std::lock_guard<std::mutex> l(mu_);
        threads_.emplace_back(
            [respond = std::move(respond), r = std::move(r)]() mutable {
              std::this_thread::sleep_for(200ms);
              respond(std::move(r));
            });
        break;
      }
      case Mode::kKeep: {
        std::lock_guard<std::mutex> l(mu_);
        kept_.emplace_back(std::move(respond), std::move(r));
        break;
      }
    }
  }

  std::vector<HttpRequest> seen() {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }
  size_t kept() {
    std::lock_guard<std::mutex> l(mu_);
    return kept_.size();
  }
  // Answers the oldest kept request.
  void AnswerKept() {
    std::pair<Responder, HttpResponse> p;
    {
      std::lock_guard<std::mutex> l(mu_);
      p = std::move(kept_.front());
      kept_.erase(kept_.begin());
    }
    p.first(std::move(p.second));
  }

 private:
  const Mode mode_;
  std::mutex mu_;
  std::vector<HttpRequest> seen_;
  std::vector<std::thread> threads_;
  std::vector<std::pair<Responder, HttpResponse>> kept_;
};

// Polls `cond` every 5 ms for up to `timeout`.
template <typename F>
bool Eventually(F cond, std::chrono::milliseconds timeout = 10s) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

// ---------------------------------------------------------------------------
// A raw blocking client, so that tests control every byte.

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};  // no test waits forever
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  struct Reply {
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
  };

  // Reads one response; nullopt if the connection ended first.
  std::optional<Reply> Read() {
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Reply r;
    std::istringstream head(in_.substr(0, end));
    std::string line;
    std::getline(head, line);
    if (line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    r.status = std::atoi(line.c_str() + 9);
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(c));
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    in_.erase(0, end + 4);
    size_t length = std::stoul(
        r.headers.count("content-length") ? r.headers["content-length"] : "0");
    while (in_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    r.body = in_.substr(0, length);
    in_.erase(0, length);
    return r;
  }

  // True if the server ends the connection (EOF or reset) within `timeout`;
  // whatever arrives before is dropped.
  bool WaitClosed(std::chrono::milliseconds timeout = 10s) {
    auto end = std::chrono::steady_clock::now() + timeout;
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    while (std::chrono::steady_clock::now() < end) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return true;
      }
    }
    return false;
  }

 private:
  bool Fill() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    in_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string in_;
};

ServerOptions PlainOptions() {
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.plain_http = true;
  o.io_threads = 2;
  return o;
}

std::unique_ptr<HttpServer> StartOrDie(const ServerOptions& o, Handler* h) {
  StatusOr<std::unique_ptr<HttpServer>> s = HttpServer::Start(o, h);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return nullptr;
  return std::move(*s);
}

std::string Get(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" +
         std::string(extra) + "\r\n";
}

std::string Post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// ---------------------------------------------------------------------------

TEST(HttpServer, AnswersGetAndPost) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(Get("/healthz", "Authorization: Bearer abc\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /healthz ");
  EXPECT_EQ(r->headers["server"], "haven");
  EXPECT_EQ(r->headers["content-type"], "text/plain");
  EXPECT_EQ(r->headers["x-client"], "127.0.0.1");
  EXPECT_EQ(r->headers["content-length"], "13");

  ASSERT_TRUE(c.Send(Post("/v1/search", R"({"dataset":"persons"})")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"(POST /v1/search {"dataset":"persons"})");

  auto seen = handler.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].authorization, "Bearer abc");
  EXPECT_EQ(seen[0].client_address, "127.0.0.1");
  EXPECT_NE(seen[0].client_port, 0);
  EXPECT_FALSE(seen[0].tls);
  EXPECT_EQ(seen[1].content_type, "application/json");
  EXPECT_EQ(seen[1].rejection.status, 0);
}

// Answers every request with a copy of `response`.
class FixedHandler : public Handler {
 public:
  explicit FixedHandler(HttpResponse response)
      : response_(std::move(response)) {}
  void Handle(HttpRequest, Responder respond) override { respond(response_); }

 private:
  const HttpResponse response_;
};

TEST(HttpServer, HandlerHeadersThatCouldSplitTheAnswerAreDropped) {
  HttpResponse answer;
  answer.body = "ok";
  answer.headers = {{"X-Good", "yes"},
                    {"X-Bad\r\nX-Injected", "1"},
                    {"X-Split", "a\r\nX-Injected: 2"},
                    {"Bad Name", "3"},
                    {"X-Colon:", "4"},
                    {"", "5"},
                    {"Retry-After", "1"}};
  FixedHandler handler(answer);
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send(Get("/")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(r->headers["x-good"], "yes");
  EXPECT_EQ(r->headers["retry-after"], "1");
  EXPECT_EQ(r->headers.count("x-injected"), 0u);
  EXPECT_EQ(r->headers.count("x-split"), 0u);
  EXPECT_EQ(r->headers.count("bad name"), 0u);
  EXPECT_EQ(r->headers.count("x-colon"), 0u);
  // Server, Content-Type, X-Good, Retry-After, Content-Length.
  EXPECT_EQ(r->headers.size(), 5u);
  // The connection is still in step: a second answer reads cleanly.
  ASSERT_TRUE(c.Send(Get("/again")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpServer, NoContentHeadAndConnectionCloseFromTheHandler) {
  HttpResponse none;
  none.status = 204;
  none.body = "dropped";
  FixedHandler no_content(none);
  auto server = StartOrDie(PlainOptions(), &no_content);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send(Get("/") + Get("/")));
  for (int i = 0; i < 2; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204);
    EXPECT_EQ(r->headers.count("content-length"), 0u);
    EXPECT_EQ(r->body, "");
  }

  HttpResponse closing;
  closing.status = 577;  // unknown to HTTP, still a three-digit status
  closing.body = "bye";
  closing.headers = {{"Connection", "close"}};
  FixedHandler closer(closing);
  auto server2 = StartOrDie(PlainOptions(), &closer);
  ASSERT_TRUE(server2);
  RawClient h(server2->port());
  // HEAD: the length of the body that GET would send, and no body; then
  // the server closes, as the Handler asked.
  ASSERT_TRUE(h.Send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::string raw;
  char buf[4096];
  for (ssize_t n; (n = ::recv(h.fd(), buf, sizeof buf, 0)) > 0;) {
    raw.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(raw,
            "HTTP/1.1 577 <unknown-status>\r\nServer: haven\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: 3\r\n\r\n");
}

TEST(HttpServer, KeepAliveReusesOneConnectionAndKeepsPipelinedOrder) {
  TestHandler handler(TestHandler::Mode::kDelayed);
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(Get("/a" + std::to_string(i))));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "GET /a" + std::to_string(i) + " ");
    EXPECT_EQ(r->headers.count("connection"), 0u);
  }
  // Three requests in one write: three answers, in order.
  ASSERT_TRUE(c.Send(Get("/p1") + Post("/p2", "xy") + Get("/p3")));
  for (std::string want : {"GET /p1 ", "POST /p2 xy", "GET /p3 "}) {
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, want);
  }
  EXPECT_EQ(server->stats().connections_total, 1u);
  EXPECT_EQ(server->stats().requests, 6u);
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send(Get("/", "Connection: close\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.WaitClosed());
}

TEST(HttpServer, BodyOverLimitIs413AndTheHandlerSeesIt) {
  TestHandler handler;
  ServerOptions o = PlainOptions();
  o.limits.max_body_bytes = 1024;
  auto server = StartOrDie(o, &handler);
  ASSERT_TRUE(server);
  {
    // Refused from Content-Length alone, before the body is read.
    RawClient c(server->port());
    ASSERT_TRUE(c.Send(
        "POST /v1/search HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer x\r\n"
        "Content-Length: 5000\r\n\r\n" +
        std::string(100, 'a')));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->headers["content-type"], "application/json");
    EXPECT_EQ(r->headers["connection"], "close");
    EXPECT_NE(r->body.find(R"({"error":{"code":"body_too_large","message":")"),
              std::string::npos)
        << r->body;
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    // Chunked: refused when the decoded body passes the limit.
    RawClient c(server->port());
    std::string chunk(800, 'b');
    ASSERT_TRUE(c.Send(
        "POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
        "\r\n320\r\n" +
        chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    // At the limit exactly: answered.
    RawClient c(server->port());
    ASSERT_TRUE(c.Send(Post("/ok", std::string(1024, 'c'))));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  auto seen = handler.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].rejection.status, 413);
  EXPECT_EQ(seen[0].rejection.code, "body_too_large");
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/v1/search");
  EXPECT_EQ(seen[0].authorization, "Bearer x");
  EXPECT_EQ(seen[0].body, "");
  EXPECT_EQ(seen[1].rejection.status, 413);
  EXPECT_EQ(seen[1].target, "/chunked");
  EXPECT_EQ(seen[2].rejection.status, 0);
  EXPECT_EQ(server->stats().rejected, 2u);
}

TEST(HttpServer, HeaderOver8KiBIs431) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send(Get("/big", "X-Pad: " + std::string(9000, 'p') + "\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("header_too_large"), std::string::npos);
  EXPECT_TRUE(c.WaitClosed());
  auto seen = handler.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].rejection.status, 431);
  // The request line was readable, so the handler can audit it.
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/big");
}

TEST(HttpServer, MalformedRequestLineIs400) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send("HELLO THERE\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("bad_request"), std::string::npos);
  EXPECT_TRUE(c.WaitClosed());
  auto seen = handler.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].rejection.code, "bad_request");
}

TEST(HttpServer, RequestArrivingInPiecesIsAnswered) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  std::string req = Post("/v1/search", R"({"dataset":"vehicles"})");
  size_t done = 0;
  for (size_t cut : {size_t{5}, req.find("\r\n\r\n") + 2, req.size() - 3}) {
    ASSERT_TRUE(c.Send(req.substr(done, cut - done)));
    done = cut;
    std::this_thread::sleep_for(30ms);
  }
  ASSERT_TRUE(c.Send(req.substr(req.size() - 3)));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"(POST /v1/search {"dataset":"vehicles"})");
}

TEST(HttpServer, MalformedHeaderFieldIs400) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nNo Colon Here\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  auto seen = handler.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/x");
}

TEST(HttpServer, Http10Is505) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 505);
  EXPECT_TRUE(c.WaitClosed());
}

TEST(HttpServer, BinaryGarbageIsDroppedWithoutTheHandler) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  // The start of a TLS ClientHello, sent to a plain port.
  ASSERT_TRUE(
      c.Send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
                         "\r\n\r\n",
                         15)));
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(handler.seen().empty());
}

TEST(HttpServer, ReadDeadlineClosesSlowloris) {
  TestHandler handler;
  ServerOptions o = PlainOptions();
  o.limits.read_deadline = 300ms;
  auto server = StartOrDie(o, &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nX-Slow: "));
  bool closed = false;
  auto end = std::chrono::steady_clock::now() + 10s;
  while (!closed && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(50ms);
    char b;
    ssize_t n = ::recv(c.fd(), &b, 1, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      closed = true;
    } else if (!c.Send("a")) {
      closed = true;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_TRUE(Eventually([&] { return server->stats().timeouts >= 1; }));
  EXPECT_TRUE(handler.seen().empty());
}

TEST(HttpServer, SlowBodyReachesTheHandlerAs408) {
  TestHandler handler;
  ServerOptions o = PlainOptions();
  o.limits.read_deadline = 300ms;
  auto server = StartOrDie(o, &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send("POST /slow HTTP/1.1\r\nContent-Length: 10\r\n\r\nab"));
  EXPECT_TRUE(c.WaitClosed());
  ASSERT_TRUE(Eventually([&] { return handler.seen().size() == 1; }));
  auto seen = handler.seen();
  EXPECT_EQ(seen[0].rejection.status, 408);
  EXPECT_EQ(seen[0].target, "/slow");
}

TEST(HttpServer, IdleTimeoutCloses) {
  TestHandler handler;
  ServerOptions o = PlainOptions();
  o.limits.idle_timeout = 200ms;
  auto server = StartOrDie(o, &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send(Get("/")));
  ASSERT_TRUE(c.Read());
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(Eventually([&] { return server->stats().timeouts == 1; }));
  EXPECT_TRUE(
      Eventually([&] { return server->stats().connections_open == 0; }));
}

TEST(HttpServer, ConnectionsOverTheCapAreRefused) {
  TestHandler handler;
  ServerOptions o = PlainOptions();
  o.limits.max_connections = 2;
  auto server = StartOrDie(o, &handler);
  ASSERT_TRUE(server);
  RawClient a(server->port());
  RawClient b(server->port());
  for (RawClient* c : {&a, &b}) {
    ASSERT_TRUE(c->Send(Get("/")));
    ASSERT_TRUE(c->Read());
  }
  RawClient over(server->port());
  EXPECT_TRUE(over.WaitClosed());
  EXPECT_EQ(server->stats().connections_refused, 1u);
  EXPECT_EQ(server->stats().connections_open, 2u);
  // The admitted ones still work.
  ASSERT_TRUE(a.Send(Get("/again")));
  auto r = a.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, ResponderFromAnotherThreadAfterADelay) {
  TestHandler handler(TestHandler::Mode::kDelayed);
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(std::make_unique<RawClient>(server->port()));
    ASSERT_TRUE(clients.back()->Send(Get("/d" + std::to_string(i))));
  }
  for (int i = 0; i < 10; ++i) {
    auto r = clients[i]->Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "GET /d" + std::to_string(i) + " ");
  }
}

TEST(HttpServer, ShutdownWaitsForAnInFlightRequest) {
  TestHandler handler(TestHandler::Mode::kKeep);
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient busy(server->port());
  RawClient idle(server->port());
  ASSERT_TRUE(busy.Send(Get("/slow")));
  ASSERT_TRUE(Eventually([&] { return handler.kept() == 1; }));

  std::atomic<bool> done{false};
  std::thread stopper([&] {
    server->Shutdown(20s);
    done = true;
  });
  // The idle connection is closed at once; the busy one is not.
  EXPECT_TRUE(idle.WaitClosed());
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(done.load());
  // New connections are no longer accepted.
  RawClient late(server->port());
  EXPECT_TRUE(!late.connected() || late.WaitClosed());

  handler.AnswerKept();
  auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /slow ");
  EXPECT_EQ(r->headers["connection"], "close");
  stopper.join();
  EXPECT_TRUE(done.load());
}

TEST(HttpServer, ResponderAfterShutdownIsHarmless) {
  TestHandler handler(TestHandler::Mode::kKeep);
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send(Get("/never")));
  ASSERT_TRUE(Eventually([&] { return handler.kept() == 1; }));
  server->Shutdown(50ms);
  EXPECT_TRUE(c.WaitClosed());
  server.reset();
  handler.AnswerKept();  // the server is gone: nothing happens
}

// True if bytes wait to be read on `fd` within `timeout`.
bool Readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

TEST(HttpServer, ResponseBatchHandsOverAnswersWhenTheOutermostEnds) {
  TestHandler handler(TestHandler::Mode::kKeep);
  auto server = StartOrDie(PlainOptions(), &handler);  // two io threads
  ASSERT_TRUE(server);
  constexpr int kClients = 8;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(server->port()));
    ASSERT_TRUE(clients.back()->Send(Get("/b" + std::to_string(i))));
  }
  ASSERT_TRUE(Eventually([&] { return handler.kept() == kClients; }));
  std::thread answerer([&] {
    ResponseBatch outer;
    {
      ResponseBatch inner;
      for (int i = 0; i < kClients; ++i) handler.AnswerKept();
    }
    // Held until the outermost batch ends.
    for (auto& c : clients) EXPECT_FALSE(Readable(c->fd(), 50ms));
  });
  answerer.join();
  for (int i = 0; i < kClients; ++i) {
    auto r = clients[i]->Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "GET /b" + std::to_string(i) + " ");
  }
  // The connections carry on, one answer at a time, outside any batch.
  ASSERT_TRUE(clients[0]->Send(Get("/again")));
  ASSERT_TRUE(Eventually([&] { return handler.kept() == 1; }));
  handler.AnswerKept();
  auto r = clients[0]->Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /again ");
}

TEST(HttpServer, ResponseBatchEndingAfterShutdownIsHarmless) {
  TestHandler handler(TestHandler::Mode::kKeep);
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send(Get("/late")));
  ASSERT_TRUE(Eventually([&] { return handler.kept() == 1; }));
  {
    ResponseBatch batch;
    handler.AnswerKept();  // held by the batch
    server->Shutdown(50ms);
    server.reset();
  }  // the server is gone: the answer is dropped
  EXPECT_TRUE(c.WaitClosed());
}

TEST(HttpServer, PlainHttpIsRefusedOffLoopback) {
  TestHandler handler;
  for (const char* listen : {"0.0.0.0:0", "192.0.2.10:0", "[::]:0"}) {
    ServerOptions o = PlainOptions();
    o.listen = listen;
    auto s = HttpServer::Start(o, &handler);
    ASSERT_FALSE(s.ok()) << listen;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  }
  for (const char* listen : {"127.0.0.2:0", "localhost:0"}) {
    ServerOptions o = PlainOptions();
    o.listen = listen;
    auto s = HttpServer::Start(o, &handler);
    EXPECT_TRUE(s.ok()) << listen << ": " << s.status().ToString();
  }
  ServerOptions o = PlainOptions();
  o.listen = "nowhere";
  EXPECT_FALSE(HttpServer::Start(o, &handler).ok());
}

TEST(HttpServer, TlsNeedsACertificate) {
  TestHandler handler;
  ServerOptions o = PlainOptions();
  o.plain_http = false;
  EXPECT_EQ(HttpServer::Start(o, &handler).status().code(),
            StatusCode::kInvalidArgument);
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = "/nonexistent/key.pem";
  EXPECT_EQ(HttpServer::Start(o, &handler).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(HttpServer, WaitForSignalReturnsOnSigterm) {
  TestHandler handler;
  auto server = StartOrDie(PlainOptions(), &handler);
  ASSERT_TRUE(server);
  std::thread waiter([&] { server->WaitForSignal(); });
  // Raise SIGTERM only once the server's signal handler is installed.
  ASSERT_TRUE(Eventually([] {
    struct sigaction sa;
    sigaction(SIGTERM, nullptr, &sa);
    return sa.sa_handler != SIG_DFL;
  }));
  ::kill(::getpid(), SIGTERM);
  waiter.join();
  RawClient c(server->port());
  EXPECT_TRUE(!c.connected() || c.WaitClosed());
}

TEST(HttpServer, ErrorResponseEscapesJson) {
  HttpResponse r = ErrorResponse(400, "bad_request", "a \"quote\"\n\x01");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":"bad_request","message":"a \"quote\"\n\u0001"}})");
}

// Issue 4, point 2: hundreds of connections trickling bytes do not stop
// normal queries.
TEST(HttpServer, KeepsAnsweringWhileHundredsOfConnectionsTrickle) {
  TestHandler handler;
  ServerOptions o = PlainOptions();
  o.limits.read_deadline = 60s;  // the tricklers stay for the whole test
  auto server = StartOrDie(o, &handler);
  ASSERT_TRUE(server);
  constexpr int kTricklers = 300;
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < kTricklers; ++i) {
    slow.push_back(std::make_unique<RawClient>(server->port()));
    ASSERT_TRUE(slow.back()->connected());
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    const std::string prefix = "GET /slow HTTP/1.1\r\nX-Trickle: ";
    for (size_t step = 0; !stop.load(); ++step) {
      char byte = step < prefix.size() ? prefix[step] : 'z';
      for (auto& c : slow) {
        ::send(c->fd(), &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      std::this_thread::sleep_for(100ms);
    }
  });
  ASSERT_TRUE(Eventually(
      [&] { return server->stats().connections_open >= kTricklers; }));

  // Normal queries on fresh connections for two seconds (twenty trickled
  // bytes per slow connection), each with a 10 s receive timeout.
  int sent = 0;
  int answered = 0;
  auto start = std::chrono::steady_clock::now();
  while (sent < 100 || std::chrono::steady_clock::now() - start < 2s) {
    RawClient c(server->port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.Send(Post("/v1/search", "{}")));
    ++sent;
    auto r = c.Read();
    if (r && r->status == 200) ++answered;
    std::this_thread::sleep_for(2ms);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  stop = true;
  trickle.join();
  EXPECT_EQ(answered, sent);
  EXPECT_GE(server->stats().connections_open, uint64_t{kTricklers});
  // Every trickler is still waiting: none reached the handler.
  EXPECT_EQ(handler.seen().size(), static_cast<size_t>(sent));
  std::printf("%d requests answered among %d tricklers in %.2f s\n", answered,
              kTricklers, seconds);
}

// ---------------------------------------------------------------------------
// TLS

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/haven_server_test_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

struct TlsResult {
  bool handshake_ok = false;
  std::string handshake_error;
  int status = 0;
  std::string body;
  std::string version;  // "TLSv1.3"...
};

// A Beast TLS client that verifies the server against `ca_file` for the
// name "localhost", with protocol versions [min_version, max_version].
TlsResult TlsRequest(uint16_t port, const std::string& ca_file, int min_version,
                     int max_version) {
  TlsResult out;
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), min_version);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
  if (max_version < TLS1_2_VERSION) {
    // OpenSSL 3 refuses TLS 1.1 at the default security level: lower it so
    // that the refusal tested is the server's.
    SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT:@SECLEVEL=0");
  }
  beast::error_code ec;
  ctx.load_verify_file(ca_file, ec);
  if (ec) {
    out.handshake_error = "load_verify_file: " + ec.message();
    return out;
  }
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
  beast::get_lowest_layer(stream).expires_after(10s);
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    out.handshake_error = "connect: " + ec.message();
    return out;
  }
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    out.handshake_error = ec.message();
    return out;
  }
  out.handshake_ok = true;
  out.version = SSL_get_version(stream.native_handle());
  http::request<http::string_body> req(http::verb::post, "/v1/search", 11);
  req.set(http::field::host, "localhost");
  req.body() = "{}";
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return out;
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return out;
  out.status = res.result_int();
  out.body = res.body();
  return out;
}

TEST(HttpServerTls, SelfSignedCertificateIsCreatedOnceWithAPrivateKey) {
  TempDir dir;
  std::string cert = dir.path() + "/tls/cert.pem";
  std::string key = dir.path() + "/tls/key.pem";
  ASSERT_TRUE(EnsureSelfSignedCertificate(cert, key).ok());
  struct stat st;
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string cert_pem = ReadFile(cert);
  EXPECT_EQ(cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ(ReadFile(key).rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  // Both exist: left alone.
  ASSERT_TRUE(EnsureSelfSignedCertificate(cert, key).ok());
  EXPECT_EQ(ReadFile(cert), cert_pem);
  // No temporary files left behind.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path() + "/tls")) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 2);
}

class HttpServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.path() + "/cert.pem";
    key_ = dir_.path() + "/key.pem";
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_, key_).ok());
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.tls_cert_file = cert_;
    o.tls_key_file = key_;
    o.io_threads = 2;
    server_ = StartOrDie(o, &handler_);
    ASSERT_TRUE(server_);
  }

  TempDir dir_;
  std::string cert_;
  std::string key_;
  TestHandler handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTlsTest, Tls12AndTls13ClientsAreAnswered) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsResult r = TlsRequest(server_->port(), cert_, version, version);
    ASSERT_TRUE(r.handshake_ok) << r.handshake_error;
    EXPECT_EQ(r.version, version == TLS1_2_VERSION ? "TLSv1.2" : "TLSv1.3");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "POST /v1/search {}");
  }
  auto seen = handler_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].tls);
}

TEST_F(HttpServerTlsTest, Tls11ClientIsRefused) {
  TlsResult r =
      TlsRequest(server_->port(), cert_, TLS1_VERSION, TLS1_1_VERSION);
  EXPECT_FALSE(r.handshake_ok);
  // The server's alert, not a local refusal.
  EXPECT_NE(r.handshake_error.find("alert protocol version"), std::string::npos)
      << r.handshake_error;
  EXPECT_TRUE(handler_.seen().empty());
}

TEST_F(HttpServerTlsTest, PlainHttpOnTheTlsPortIsDropped) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Get("/")));
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(handler_.seen().empty());
}

}  // namespace
}  // namespace haven::server
