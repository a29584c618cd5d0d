// HttpServer on Boost.Beast/Asio. This is the only translation unit (besides
// its test) that includes Beast or Asio: their headers are heavy.
//
// Each of the `io_threads` network threads runs its own io_context; a
// connection lives on one of them (given in turn as connections are
// accepted), so that its handlers never run concurrently and need no strand,
// and each thread's queue and reactor are its own. A connection handles one
// request at a time (read, hand to the Handler, write the answer, read the
// next), which keeps pipelined requests in order.
// A connection is owned by its pending asynchronous operations; while the
// Handler holds a request, the connection holds itself (`hold_`), and the
// Responder only keeps a weak reference, so that a Responder that outlives the
// server touches nothing that is gone (see Gate).
//
// No exception leaves this file: Beast and Asio are called with error_code
// overloads where they exist, and the io threads catch what remains.
#include "server/http_server.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

namespace haven::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ErrorCode = beast::error_code;

constexpr size_t kReadChunk = 16 << 10;
// After answering a request we refuse, we stop sending and read (and drop)
// what the client still sends for a while before closing, so that the
// client reads our answer instead of a reset (RFC 9112 section 9.6).
constexpr std::chrono::milliseconds kLinger{2000};
constexpr size_t kMaxLingerBytes = 4 << 20;
// A connection keeps its answer-head buffer between answers up to this
// capacity (about what its read buffer holds anyway); a larger one is freed.
constexpr size_t kKeepHeadBytes = 8 << 10;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Mozilla "intermediate" TLS 1.2 suites; TLS 1.3 keeps OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

// The last OpenSSL error, for messages.
std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

bool IsHttpError(const ErrorCode& ec) {
  return ec.category() == ErrorCode(http::error::bad_method).category();
}

bool IsTchar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Method and target of a request line that Beast refused or never parsed
// (e.g. the header was too large), for the rejection passed to the Handler.
void ParseRawRequestLine(std::string_view data, size_t cap, HttpRequest* req) {
  data = data.substr(0, std::min(data.size(), cap));
  size_t eol = data.find('\n');
  std::string_view line = data.substr(0, eol);
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return;
  std::string_view method = line.substr(0, sp);
  for (unsigned char c : method) {
    if (!IsTchar(c)) return;
  }
  std::string_view rest = line.substr(sp + 1);
  size_t sp2 = rest.find(' ');
  std::string_view target = rest.substr(0, sp2);
  if (!target.empty() && target.back() == '\r') target.remove_suffix(1);
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7f) return;
  }
  req->method = std::string(method);
  req->target = std::string(target);
}

// Parses "ADDR:PORT", "[V6ADDR]:PORT" or "localhost:PORT".
StatusOr<tcp::endpoint> ParseListen(const std::string& listen) {
  std::string host;
  std::string port;
  if (!listen.empty() && listen[0] == '[') {
    size_t close = listen.find("]:");
    if (close == std::string::npos) {
      return Status::InvalidArgument("listen address '" + listen +
                                     "' is not [ADDR]:PORT");
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument("listen address '" + listen +
                                     "' is not ADDR:PORT");
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  ErrorCode ec;
  asio::ip::address addr = asio::ip::make_address(host, ec);
  if (ec) {
    return Status::InvalidArgument("listen address '" + listen + "': '" + host +
                                   "' is not an IP address");
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535) {
    return Status::InvalidArgument("listen address '" + listen + "': bad port");
  }
  return tcp::endpoint(addr, static_cast<uint16_t>(std::stoul(port)));
}

// Responders check the gate before touching the io_context: once Shutdown
// has closed it, a late Responder does nothing.
struct Gate {
  std::shared_mutex mu;
  bool open = true;  // guarded by mu
};

}  // namespace

HttpResponse ErrorResponse(int status, std::string_view code,
                           std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = "{\"error\":{\"code\":\"" + JsonEscape(code) + "\",\"message\":\"" +
           JsonEscape(message) + "\"}}";
  return r;
}

// ---------------------------------------------------------------------------

// The part of a connection the server sees without knowing its stream type.
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  virtual ~ConnectionBase() = default;
  // From any thread: asks the connection to stop after its current request.
  virtual void Stop() = 0;
  // From any thread: closes the socket now.
  virtual void ForceClose() = 0;
  // On the connection's own thread: the Handler's answer to request `seq`.
  virtual void Answer(uint64_t seq, HttpResponse response) = 0;
  // Only when no io thread runs (end of Shutdown): breaks the self-hold.
  void ReleaseHold() { hold_.reset(); }

 protected:
  std::shared_ptr<ConnectionBase> hold_;
};

namespace {

// What the ResponseBatches open on this thread hold: answers by network
// thread, handed over when the outermost batch ends.
struct PendingAnswers {
  struct Answer {
    std::weak_ptr<ConnectionBase> connection;
    uint64_t seq;
    HttpResponse response;
  };
  struct Bucket {
    asio::io_context* ioc;
    std::shared_ptr<Gate> gate;
    std::vector<Answer> answers;
  };
  int depth = 0;
  std::vector<Bucket> buckets;

  void Add(asio::io_context* ioc, const std::shared_ptr<Gate>& gate,
           std::weak_ptr<ConnectionBase> connection, uint64_t seq,
           HttpResponse response) {
    Bucket* b = nullptr;
    for (Bucket& x : buckets) {
      if (x.ioc == ioc && x.gate == gate) b = &x;
    }
    if (b == nullptr) b = &buckets.emplace_back(Bucket{ioc, gate, {}});
    b->answers.push_back({std::move(connection), seq, std::move(response)});
  }

  // One post per network thread. Under the gate, as for a single answer:
  // once Shutdown has closed it, the answers are dropped.
  void HandOver() {
    std::vector<Bucket> out;
    out.swap(buckets);
    for (Bucket& b : out) {
      std::shared_lock<std::shared_mutex> l(b.gate->mu);
      if (!b.gate->open) continue;
      std::vector<std::pair<std::shared_ptr<ConnectionBase>, Answer>> live;
      live.reserve(b.answers.size());
      for (Answer& a : b.answers) {
        if (auto c = a.connection.lock())
          live.emplace_back(std::move(c), std::move(a));
      }
      if (live.empty()) continue;
      asio::post(*b.ioc, [live = std::move(live)]() mutable {
        for (auto& [c, a] : live) c->Answer(a.seq, std::move(a.response));
      });
    }
  }
};

thread_local PendingAnswers t_pending;

}  // namespace

ResponseBatch::ResponseBatch() { ++t_pending.depth; }

ResponseBatch::~ResponseBatch() {
  if (--t_pending.depth == 0 && !t_pending.buckets.empty()) {
    t_pending.HandOver();
  }
}

// Everything the server shares with its connections. (HttpServer::Impl is
// private; connections see this base.)
struct ServerCore {
  ServerOptions options;
  Handler* handler = nullptr;

  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> timeouts{0};
  // Requests handed to the Handler whose answer is not yet written.
  std::atomic<int64_t> in_flight{0};
  std::atomic<bool> stopping{false};

  std::shared_ptr<Gate> gate = std::make_shared<Gate>();

  // Declaration order is destruction order in reverse: the TLS context must
  // outlive every stream, the io_context every socket.
  std::optional<ssl::context> tls;
  // One per network thread; iocs[0] also runs the acceptor and signals.
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  // Keep run() going while every connection waits on its Handler.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  size_t next_ioc = 0;  // the next connection's; only on iocs[0]'s thread
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  std::optional<asio::signal_set> signals;  // while WaitForSignal waits
  uint16_t port = 0;
  std::vector<std::thread> threads;

  std::mutex conns_mu;
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> conns;

  std::mutex state_mu;
  std::condition_variable state_cv;
  bool shut_down = false;        // guarded by state_mu
  bool signal_received = false;  // guarded by state_mu

  ~ServerCore() {
    work.clear();
    signals.reset();
    acceptor.reset();
    accept_retry.reset();
    iocs.clear();
  }

  void Accept();
  void OnAccept(ErrorCode ec, tcp::socket socket, asio::io_context* ioc);
  void Run(asio::io_context* ioc);
  void ShutdownNow(std::chrono::milliseconds grace);
};

namespace {

template <typename Stream>
class Connection final : public ConnectionBase {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Connection(ServerCore* server, asio::io_context* ioc,
             tcp::socket&& socket) requires(!kTls)
      : server_(server), ioc_(ioc), stream_(std::move(socket)) {
    Init();
  }
  Connection(ServerCore* server, asio::io_context* ioc,
             tcp::socket&& socket) requires(kTls)
      : server_(server), ioc_(ioc), stream_(std::move(socket), *server->tls) {
    Init();
  }

  ~Connection() override {
    {
      std::lock_guard<std::mutex> l(server_->conns_mu);
      server_->conns.erase(this);
    }
    server_->connections_open.fetch_sub(1, std::memory_order_relaxed);
  }

  void Start() {
    {
      std::lock_guard<std::mutex> l(server_->conns_mu);
      server_->conns.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = Self()] {
      if (self->server_->stopping.load()) return self->Close();
      if constexpr (kTls) {
        self->phase_ = Phase::kReading;
        self->tcp().expires_after(self->limits().read_deadline);
        self->stream_.async_handshake(
            ssl::stream_base::server,
            [self](ErrorCode ec) { self->OnHandshake(ec); });
      } else {
        self->ReadRequest();
      }
    });
  }

  void Stop() override {
    asio::post(stream_.get_executor(), [self = Self()] {
      self->stop_ = true;
      if (self->phase_ == Phase::kReading) self->Close();
    });
  }

  void ForceClose() override {
    asio::post(stream_.get_executor(), [self = Self()] { self->Close(); });
  }

  void Answer(uint64_t seq, HttpResponse response) override {
    OnResponse(seq, std::move(response));
  }

 private:
  enum class Phase { kReading, kHandling, kWriting, kClosing, kClosed };

  void Init() {
    ErrorCode ec;
    tcp::endpoint remote = tcp().socket().remote_endpoint(ec);
    if (!ec) {
      asio::ip::address a = remote.address();
      if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
      }
      client_address_ = a.to_string(ec);
      client_port_ = remote.port();
    }
    tcp().socket().set_option(tcp::no_delay(true), ec);
  }

  std::shared_ptr<Connection> Self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }
  const Limits& limits() const { return server_->options.limits; }

  void OnHandshake(ErrorCode ec) {
    if (ec) {
      if (ec == beast::error::timeout) server_->timeouts.fetch_add(1);
      return Close();
    }
    ReadRequest();
  }

  // Waits (idle_timeout) for the first byte of the next request unless it is
  // already buffered, then reads the header (read_deadline from then on).
  void ReadRequest() {
    if (stop_ || server_->stopping.load()) return GracefulClose();
    phase_ = Phase::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(
        limits().max_header_bytes, std::numeric_limits<uint32_t>::max())));
    // Content-Length is checked by hand once the header is in (so that the
    // Handler sees the header of a refused request); the chunked limit is
    // set before the body is read.
    parser_->body_limit(boost::none);
    deadline_armed_ = false;
    if (buffer_.size() > 0) return ReadHeader();
    // After an answer, the idle timer armed for its write runs on.
    if (!idle_armed_) tcp().expires_after(limits().idle_timeout);
    idle_armed_ = false;
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = Self()](ErrorCode ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnFirstBytes(ErrorCode ec, size_t n) {
    if (ec) {
      if (ec == beast::error::timeout) server_->timeouts.fetch_add(1);
      return Close();
    }
    buffer_.commit(n);
    ReadHeader();
  }

  // The read deadline runs from the first byte of a request.
  void ArmDeadline() {
    if (deadline_armed_) return;
    deadline_armed_ = true;
    tcp().expires_after(limits().read_deadline);
  }

  // Feeds buffered bytes to the parser until it has the header (or the whole
  // message, with `body`); false if it needs more bytes than are buffered.
  // Most requests arrive whole in one read: they skip Beast's asynchronous
  // read and its timer.
  bool ParseBuffered(bool body, ErrorCode* ec) {
    while (body ? !parser_->is_done() : !parser_->is_header_done()) {
      if (buffer_.size() == 0) return false;
      size_t used = parser_->put(buffer_.data(), *ec);
      buffer_.consume(used);
      if (*ec == http::error::need_more) {
        *ec = {};
        return false;
      }
      if (*ec) return true;
      if (used == 0) return false;
    }
    return true;
  }

  void ReadHeader() {
    ErrorCode ec;
    if (ParseBuffered(false, &ec)) return OnHeader(ec);
    ArmDeadline();
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = Self()](ErrorCode ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(ErrorCode ec) {
    if (ec) {
      if (ec == beast::error::timeout) {
        // Not a whole header within the deadline: nothing to pass on.
        server_->timeouts.fetch_add(1);
        return Close();
      }
      if (ec == http::error::header_limit ||
          ec == http::error::buffer_overflow) {
        return Reject(431, "header_too_large",
                      "the request header exceeds " +
                          std::to_string(limits().max_header_bytes) + " bytes");
      }
      if (IsHttpError(ec) && ec != http::error::end_of_stream &&
          ec != http::error::partial_message && ec != http::error::short_read) {
        // A malformed request gets a 400 if it looks like text at all;
        // binary garbage (a TLS hello on a plain port...) is just dropped.
        std::string_view raw(static_cast<const char*>(buffer_.data().data()),
                             buffer_.size());
        if (!parser_->get().method_string().empty() ||
            (!raw.empty() &&
             std::isalpha(static_cast<unsigned char>(raw[0])))) {
          return Reject(400, "bad_request",
                        "malformed HTTP request: " + ec.message());
        }
      }
      return Close();
    }
    const auto& req = parser_->get();
    if (req.version() != 11) {
      return Reject(505, "http_version_not_supported",
                    "only HTTP/1.1 is supported");
    }
    boost::optional<uint64_t> length = parser_->content_length();
    if (length && *length > limits().max_body_bytes) {
      return Reject(413, "body_too_large",
                    "the request body exceeds " +
                        std::to_string(limits().max_body_bytes) + " bytes");
    }
    parser_->body_limit(limits().max_body_bytes);
    if (parser_->is_done()) return OnRequest();
    auto expect = req.find(http::field::expect);
    if (expect != req.end() &&
        beast::iequals(expect->value(), "100-continue")) {
      asio::async_write(stream_,
                        asio::buffer(kContinue.data(), kContinue.size()),
                        [self = Self()](ErrorCode ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    ErrorCode ec;
    if (ParseBuffered(true, &ec)) return OnBody(ec);
    ArmDeadline();
    http::async_read(
        stream_, buffer_, *parser_,
        [self = Self()](ErrorCode ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(ErrorCode ec) {
    if (ec) {
      if (ec == beast::error::timeout) {
        // The socket is closed already; the Handler still hears of the
        // attempt, and its answer goes nowhere.
        server_->timeouts.fetch_add(1);
        return Reject(408, "request_timeout",
                      "the request did not arrive within the read deadline");
      }
      if (ec == http::error::body_limit) {
        return Reject(413, "body_too_large",
                      "the request body exceeds " +
                          std::to_string(limits().max_body_bytes) + " bytes");
      }
      if (IsHttpError(ec) && ec != http::error::end_of_stream &&
          ec != http::error::partial_message && ec != http::error::short_read) {
        return Reject(400, "bad_request",
                      "malformed HTTP request body: " + ec.message());
      }
      return Close();
    }
    OnRequest();
  }

  HttpRequest MakeRequest(bool header_complete) {
    HttpRequest r;
    r.client_address = client_address_;
    r.client_port = client_port_;
    r.tls = kTls;
    if (header_complete) {
      auto& msg = parser_->get();
      r.method = std::string(msg.method_string());
      r.target = std::string(msg.target());
      r.authorization = std::string(msg[http::field::authorization]);
      r.content_type = std::string(msg[http::field::content_type]);
      method_head_ = msg.method() == http::verb::head;
    } else if (parser_ && !parser_->get().method_string().empty()) {
      // Beast consumed the request line before refusing the fields.
      const auto& msg = parser_->get();
      r.method = std::string(msg.method_string());
      r.target = std::string(msg.target());
      method_head_ = msg.method() == http::verb::head;
    } else {
      ParseRawRequestLine(
          std::string_view(static_cast<const char*>(buffer_.data().data()),
                           buffer_.size()),
          limits().max_header_bytes, &r);
      method_head_ = r.method == "HEAD";
    }
    return r;
  }

  void OnRequest() {
    HttpRequest r = MakeRequest(true);
    r.body = std::move(parser_->get().body());
    keep_alive_ = parser_->get().keep_alive();
    Dispatch(std::move(r));
  }

  void Reject(int status, std::string code, std::string message) {
    bool header_complete = parser_ && parser_->is_header_done();
    HttpRequest r = MakeRequest(header_complete);
    r.rejection.status = status;
    r.rejection.code = std::move(code);
    r.rejection.message = std::move(message);
    keep_alive_ = false;
    server_->rejected.fetch_add(1, std::memory_order_relaxed);
    Dispatch(std::move(r));
  }

  // Hands the request to the Handler; its answer comes back through
  // OnResponse on this connection's thread.
  void Dispatch(HttpRequest r) {
    phase_ = Phase::kHandling;
    parser_.reset();
    tcp().expires_never();
    uint64_t seq = ++seq_;
    hold_ = shared_from_this();
    server_->requests.fetch_add(1, std::memory_order_relaxed);
    server_->in_flight.fetch_add(1);
    std::weak_ptr<ConnectionBase> weak = weak_from_this();
    std::shared_ptr<Gate> gate = server_->gate;
    Responder respond = [weak = std::move(weak), gate = std::move(gate), seq,
                         ioc = ioc_](HttpResponse response) {
      if (t_pending.depth > 0) {  // a ResponseBatch hands it over
        return t_pending.Add(ioc, gate, weak, seq, std::move(response));
      }
      std::shared_lock<std::shared_mutex> l(gate->mu);
      if (!gate->open) return;
      std::shared_ptr<ConnectionBase> base = weak.lock();
      if (!base) return;
      auto self = std::static_pointer_cast<Connection>(std::move(base));
      auto executor = self->stream_.get_executor();
      // Inline when called on the connection's thread (a Handler that
      // answers at once); queued otherwise.
      asio::dispatch(executor, [self = std::move(self), seq,
                                response = std::move(response)]() mutable {
        self->OnResponse(seq, std::move(response));
      });
    };
    server_->handler->Handle(std::move(r), std::move(respond));
  }

  void OnResponse(uint64_t seq, HttpResponse response) {
    if (seq != seq_ || phase_ != Phase::kHandling) return;  // answered twice
    hold_.reset();
    if (closed_) {
      server_->in_flight.fetch_sub(1);
      phase_ = Phase::kClosed;
      return;
    }
    phase_ = Phase::kWriting;
    bool keep = keep_alive_ && !stop_ && !server_->stopping.load();
    int status = response.status;
    if (status < 100 || status > 999) status = 500;
    // The head is written by hand rather than by Beast's serializer, which
    // cost more than the rest of the answer's path on this thread. Header
    // order is Beast's: Server, Content-Type, the Handler's, Connection,
    // Content-Length.
    std::string& head = head_;
    head.clear();
    head += "HTTP/1.1 ";
    AppendDecimal(static_cast<uint64_t>(status), &head);
    head += ' ';
    std::string_view reason = http::obsolete_reason(
        http::int_to_status(static_cast<unsigned>(status)));
    head += reason.empty() ? std::string_view("<unknown-status>") : reason;
    head += "\r\nServer: haven\r\n";
    if (!response.content_type.empty() && SafeValue(response.content_type)) {
      AppendField("Content-Type", response.content_type, &head);
    }
    for (const auto& [name, value] : response.headers) {
      if (!SafeName(name) || !SafeValue(value)) continue;
      if (beast::iequals(name, "connection") &&
          beast::iequals(value, "close")) {
        keep = false;
        continue;
      }
      AppendField(name, value, &head);
    }
    if (!keep) head += "Connection: close\r\n";
    bool no_body = status < 200 || status == 204 || status == 304;
    if (!no_body) {
      head += "Content-Length: ";
      AppendDecimal(response.body.size(), &head);
      head += "\r\n";
    }
    head += "\r\n";
    body_.clear();
    if (!no_body && !method_head_) {
      if constexpr (kTls) {
        // One buffer: an SSL stream writes one buffer of a sequence per
        // record, so a separate body would cost a second record.
        head += response.body;
      } else {
        body_ = std::move(response.body);
      }
    }
    // Covers the write and, after it, the wait for the next request.
    tcp().expires_after(limits().idle_timeout);
    idle_armed_ = true;
    std::array<asio::const_buffer, 2> out = {asio::buffer(head_),
                                             asio::buffer(body_)};
    asio::async_write(stream_, out,
                      [self = Self(), keep](ErrorCode ec, size_t) {
                        self->OnWrite(ec, keep);
                      });
  }

  static void AppendDecimal(uint64_t n, std::string* out) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    out->append(buf, end);
  }
  // RFC 9110 5.1 and 5.5: a field name is a token; a value holds no CR, LF
  // or NUL. A Handler's header that breaks either is dropped.
  static bool SafeName(std::string_view name) {
    if (name.empty()) return false;
    for (char ch : name) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (c <= 0x20 || c >= 0x7f || std::strchr("\"(),/:;<=>?@[\\]{}", c)) {
        return false;
      }
    }
    return true;
  }
  static bool SafeValue(std::string_view value) {
    return value.find_first_of(std::string_view("\r\n\0", 3)) ==
           std::string_view::npos;
  }
  static void AppendField(std::string_view name, std::string_view value,
                          std::string* out) {
    *out += name;
    *out += ": ";
    *out += value;
    *out += "\r\n";
  }

  void OnWrite(ErrorCode ec, bool keep) {
    server_->in_flight.fetch_sub(1);
    // An idle connection holds no answer body, and at most a small head.
    std::string().swap(body_);
    if (head_.capacity() > kKeepHeadBytes) std::string().swap(head_);
    if (ec) return Close();
    if (!keep) return GracefulClose();
    ReadRequest();
  }

  // Ends the connection without resetting what the peer has yet to read.
  void GracefulClose() {
    if (closed_) return;
    phase_ = Phase::kClosing;
    tcp().expires_after(kLinger);
    if constexpr (kTls) {
      stream_.async_shutdown([self = Self()](ErrorCode) { self->Close(); });
    } else {
      ErrorCode ignored;
      tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Linger();
    }
  }

  void Linger() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = Self()](ErrorCode ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kMaxLingerBytes) {
                                return self->Close();
                              }
                              self->Linger();
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    if (phase_ != Phase::kHandling) phase_ = Phase::kClosed;
    ErrorCode ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
  }

  ServerCore* const server_;
  asio::io_context* const ioc_;  // the one this connection's socket is on
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_;  // the answer being written: head (and, on TLS, body)
  std::string body_;  // the answer's body on plain TCP
  std::string client_address_;
  uint16_t client_port_ = 0;
  Phase phase_ = Phase::kReading;
  uint64_t seq_ = 0;
  size_t lingered_ = 0;
  bool keep_alive_ = true;
  bool deadline_armed_ = false;  // for the request being read
  bool idle_armed_ = false;      // by the last write
  bool method_head_ = false;
  bool stop_ = false;
  bool closed_ = false;
};

using PlainConnection = Connection<beast::tcp_stream>;
using TlsConnection = Connection<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

struct HttpServer::Impl : ServerCore {};

void ServerCore::Accept() {
  asio::io_context* ioc = iocs[next_ioc++ % iocs.size()].get();
  acceptor->async_accept(*ioc, [this, ioc](ErrorCode ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket), ioc);
  });
}

void ServerCore::OnAccept(ErrorCode ec, tcp::socket socket,
                          asio::io_context* ioc) {
  if (ec == asio::error::operation_aborted || stopping.load()) return;
  if (ec) {
    // Out of file descriptors, most likely: wait a little, then go on.
    accept_retry->expires_after(std::chrono::milliseconds(50));
    accept_retry->async_wait([this](ErrorCode ec) {
      if (!ec && !stopping.load()) Accept();
    });
    return;
  }
  if (connections_open.load() >= options.limits.max_connections) {
    connections_refused.fetch_add(1, std::memory_order_relaxed);
    ErrorCode ignored;
    socket.close(ignored);
  } else {
    connections_open.fetch_add(1);
    connections_total.fetch_add(1, std::memory_order_relaxed);
    if (tls) {
      std::make_shared<TlsConnection>(this, ioc, std::move(socket))->Start();
    } else {
      std::make_shared<PlainConnection>(this, ioc, std::move(socket))->Start();
    }
  }
  Accept();
}

void ServerCore::Run(asio::io_context* ioc) {
  for (;;) {
    try {
      ioc->run();
      return;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "haven server: io thread: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "haven server: io thread: unknown exception\n");
    }
  }
}

void ServerCore::ShutdownNow(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> l(state_mu);
    if (shut_down) return;
    shut_down = true;
  }
  state_cv.notify_all();
  if (iocs.empty()) return;
  stopping.store(true);
  asio::post(acceptor->get_executor(), [this] {
    ErrorCode ignored;
    acceptor->close(ignored);
    accept_retry->cancel();
  });

  auto snapshot = [this] {
    std::vector<std::shared_ptr<ConnectionBase>> out;
    std::lock_guard<std::mutex> l(conns_mu);
    out.reserve(conns.size());
    for (auto& [ptr, weak] : conns) {
      if (auto c = weak.lock()) out.push_back(std::move(c));
    }
    return out;
  };
  for (auto& c : snapshot()) c->Stop();

  auto deadline = std::chrono::steady_clock::now() + grace;
  while (in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  {
    std::unique_lock<std::shared_mutex> l(gate->mu);
    gate->open = false;
  }
  for (auto& c : snapshot()) c->ForceClose();
  work.clear();
  for (auto& ioc : iocs) ioc->stop();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  threads.clear();
  for (auto& c : snapshot()) c->ReleaseHold();
  signals.reset();
  acceptor.reset();
  accept_retry.reset();
  iocs.clear();  // destroys pending handlers, and with them the connections
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Shutdown(); }

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const ServerOptions& options, Handler* handler) {
  if (handler == nullptr) return Status::InvalidArgument("no handler");
  if (options.io_threads < 1) {
    return Status::InvalidArgument("io_threads must be at least 1");
  }
  if (options.limits.max_header_bytes == 0 ||
      options.limits.max_connections == 0) {
    return Status::InvalidArgument(
        "max_header_bytes and max_connections must be positive");
  }
  StatusOr<tcp::endpoint> endpoint = ParseListen(options.listen);
  if (!endpoint.ok()) return endpoint.status();
  if (options.plain_http && !endpoint->address().is_loopback()) {
    return Status::InvalidArgument(
        "plain HTTP is refused on the non-loopback address " + options.listen +
        ": use TLS");
  }

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = handler;

  if (!options.plain_http) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return Status::InvalidArgument(
          "TLS needs a certificate and a key file (or plain HTTP on "
          "loopback)");
    }
    impl->tls.emplace(ssl::context::tls_server);
    ssl::context& ctx = *impl->tls;
    ErrorCode ec;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                        ssl::context::no_compression,
                    ec);
    SSL_CTX* raw = ctx.native_handle();
    SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION);
    if (ec || SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(raw, kTls12Ciphers) != 1) {
      return Status::Internal("TLS context setup failed: " + OpenSslError());
    }
    static const unsigned char kSessionContext[] = "haven";
    SSL_CTX_set_session_id_context(raw, kSessionContext,
                                   sizeof kSessionContext - 1);
    ctx.use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) {
      return Status::InvalidArgument("cannot load TLS certificate " +
                                     options.tls_cert_file + ": " +
                                     ec.message());
    }
    ctx.use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument(
          "cannot load TLS key " + options.tls_key_file + ": " + ec.message());
    }
    if (SSL_CTX_check_private_key(raw) != 1) {
      return Status::InvalidArgument("TLS key " + options.tls_key_file +
                                     " does not match certificate " +
                                     options.tls_cert_file);
    }
  }

  for (int i = 0; i < options.io_threads; ++i) {
    // Hint 1: one thread runs it, so Asio may keep that thread's own posts
    // in a private queue.
    impl->iocs.push_back(std::make_unique<asio::io_context>(1));
    impl->work.push_back(asio::make_work_guard(*impl->iocs.back()));
  }
  impl->acceptor.emplace(*impl->iocs[0]);
  impl->accept_retry.emplace(impl->acceptor->get_executor());
  tcp::acceptor& acc = *impl->acceptor;
  ErrorCode ec;
  acc.open(endpoint->protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(*endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + options.listen + ": " +
                           ec.message());
  }
  impl->port = acc.local_endpoint(ec).port();

  impl->Accept();
  Impl* p = impl.get();
  for (int i = 0; i < options.io_threads; ++i) {
    asio::io_context* ioc = p->iocs[static_cast<size_t>(i)].get();
    p->threads.emplace_back([p, ioc] { p->Run(ioc); });
    pthread_setname_np(p->threads.back().native_handle(), "haven-io");
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Shutdown(std::chrono::milliseconds grace) {
  impl_->ShutdownNow(grace);
}

void HttpServer::WaitForSignal() {
  Impl* p = impl_.get();
  {
    std::unique_lock<std::mutex> l(p->state_mu);
    if (p->shut_down) return;
    // Created under state_mu and before shut_down is set, so ShutdownNow
    // (which destroys it with the io_context) never races its creation.
    p->signals.emplace(*p->iocs[0], SIGTERM, SIGINT);
    p->signals->async_wait([p](ErrorCode ec, int) {
      if (ec) return;
      {
        std::lock_guard<std::mutex> l(p->state_mu);
        p->signal_received = true;
      }
      p->state_cv.notify_all();
    });
    p->state_cv.wait(l, [p] { return p->signal_received || p->shut_down; });
  }
  Shutdown();
}

ServerStats HttpServer::stats() const {
  ServerStats s;
  s.connections_open = impl_->connections_open.load();
  s.connections_total = impl_->connections_total.load();
  s.connections_refused = impl_->connections_refused.load();
  s.requests = impl_->requests.load();
  s.rejected = impl_->rejected.load();
  s.timeouts = impl_->timeouts.load();
  return s;
}

// ---------------------------------------------------------------------------
// Self-signed certificate.

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};

// Writes `data` to `path` through a temporary file in the same directory,
// fsynced and renamed into place.
Status WriteFileAtomically(const std::string& path, std::string_view data,
                           mode_t mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::FromErrno("open " + tmp, errno);
  // The mode given to open is filtered by the umask; make it exact.
  if (::fchmod(fd, mode) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::FromErrno("chmod " + tmp, err);
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::FromErrno("write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::FromErrno("fsync " + tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::FromErrno("rename " + tmp, err);
  }
  return Status::Ok();
}

StatusOr<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n < 0) return Status::Internal("BIO_get_mem_data failed");
  return std::string(data, static_cast<size_t>(n));
}

Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Status::Internal(std::string("certificate extension ") + value +
                            ": " + OpenSslError());
  }
  return Status::Ok();
}

}  // namespace

Status EnsureSelfSignedCertificate(const std::string& cert_file,
                                   const std::string& key_file) {
  std::error_code fec;
  if (std::filesystem::exists(cert_file, fec) &&
      std::filesystem::exists(key_file, fec)) {
    return Status::Ok();
  }
  for (const std::string& f : {cert_file, key_file}) {
    std::filesystem::path parent = std::filesystem::path(f).parent_path();
    if (!parent.empty()) {
      std::filesystem::create_directories(parent, fec);
      if (fec) {
        return Status::IOError("cannot create " + parent.string() + ": " +
                               fec.message());
      }
    }
  }

  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return Status::Internal("EC key generation: " + OpenSslError());

  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) return Status::Internal("X509_new: " + OpenSslError());
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) {
    return Status::Internal("RAND_bytes: " + OpenSslError());
  }
  serial_bytes[0] &= 0x7f;  // a positive serial number (RFC 5280 4.1.2.2)
  serial_bytes[0] |= 0x01;
  BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  bool ok = bn != nullptr && X509_set_version(cert.get(), X509_VERSION_3) &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600) &&
            X509_set_pubkey(cert.get(), key.get());
  BN_free(bn);
  if (!ok) return Status::Internal("certificate fields: " + OpenSslError());
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(
          name, "O", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>("Haven"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
          0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return Status::Internal("certificate name: " + OpenSslError());
  }
  HAVEN_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  HAVEN_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature"));
  HAVEN_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
  HAVEN_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
  HAVEN_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_alt_name,
                                     "DNS:localhost,IP:127.0.0.1,IP:::1"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return Status::Internal("certificate signing: " + OpenSslError());
  }

  std::unique_ptr<BIO, BioFree> key_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioFree> cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0,
                               nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    return Status::Internal("PEM encoding: " + OpenSslError());
  }
  StatusOr<std::string> key_pem = BioContents(key_bio.get());
  if (!key_pem.ok()) return key_pem.status();
  StatusOr<std::string> cert_pem = BioContents(cert_bio.get());
  if (!cert_pem.ok()) return cert_pem.status();
  // The key first: a certificate on disk always has its key beside it.
  HAVEN_RETURN_IF_ERROR(WriteFileAtomically(key_file, *key_pem, 0600));
  return WriteFileAtomically(cert_file, *cert_pem, 0644);
}

}  // namespace haven::server
