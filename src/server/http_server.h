// HttpServer: Haven's HTTPS front door, on Boost.Beast and Asio.
//
// It reads requests within limits and hands each complete one to a Handler,
// which answers later, from any thread; it knows nothing of police records.
//
//   ServerOptions opts;
//   opts.listen = "127.0.0.1:8443";
//   opts.tls_cert_file = dir + "/tls/cert.pem";  // or opts.plain_http = true
//   StatusOr<std::unique_ptr<HttpServer>> s =
//       HttpServer::Start(opts, &handler);
//   (*s)->WaitForSignal();  // SIGTERM/SIGINT: stop accepting, finish
//                           // in-flight requests, return
//
// Limits: a request whose header exceeds max_header_bytes, or whose body
// exceeds max_body_bytes, or that does not arrive within read_deadline, or
// that is not HTTP/1.1, is not passed on as is: the handler gets it with
// `rejection` set (so that it can audit the attempt), and the connection is
// closed after the answer. Bytes that are not even the start of a request
// line (binary garbage), and a header that does not arrive whole within the
// deadline, are not requests: the connection is closed and the handler never
// hears of them. A body that misses the deadline reaches the handler as a 408
// rejection, but its answer is dropped: the socket is closed already. A
// connection idle longer than idle_timeout is closed; beyond max_connections
// new connections are refused (accepted and closed at once). A slow client
// costs a socket and a timer, never a thread.
//
// Thread-safety: Start, Shutdown and WaitForSignal from one thread;
// Responders may be called from any thread, exactly once (a second call, or a
// call after Shutdown, does nothing). Requests on one connection reach the
// Handler one at a time, in order, so pipelining keeps its order.
#ifndef HAVEN_SERVER_HTTP_SERVER_H_
#define HAVEN_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace haven::server {

struct Limits {
  size_t max_header_bytes = 8 << 10;
  size_t max_body_bytes = 1 << 20;
  // The whole request (header and body) must arrive within this time of its
  // first byte.
  std::chrono::milliseconds read_deadline{10000};
  // A keep-alive connection with no request in progress is closed after this.
  std::chrono::milliseconds idle_timeout{30000};
  size_t max_connections = 10000;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8443";  // ADDR:PORT; port 0 picks one
  // Without TLS; refused unless `listen` is a loopback address.
  bool plain_http = false;
  std::string tls_cert_file;  // PEM certificate chain
  std::string tls_key_file;   // PEM private key
  Limits limits;
  int io_threads = 2;
};

// Why the server refused to pass a request on as it came.
struct Rejection {
  int status = 0;    // 400, 408, 413, 431, 505...
  std::string code;  // "body_too_large", "header_too_large", "bad_request"...
  std::string message;  // what was wrong, for the client
};

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // "/v1/search?x=y", as sent
  std::string authorization;  // the Authorization header, or empty
  std::string content_type;
  std::string body;
  std::string client_address;  // "127.0.0.1", "::1"
  uint16_t client_port = 0;
  bool tls = false;
  // Set when the request was refused by the server's limits (status != 0);
  // then only the fields read so far are filled.
  Rejection rejection;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Completes one request. Call exactly once, from any thread.
using Responder = std::function<void(HttpResponse)>;

// ResponseBatch: while one lives on a thread, Responders called on that
// thread queue their answers, and its destructor hands them over, one
// hand-off per network thread rather than one per answer (each hand-off
// may wake a sleeping thread). For code that completes many requests at
// once, such as a group commit's callbacks:
//
//   {
//     ResponseBatch batch;
//     for (Call& c : done) c.respond(std::move(c.response));
//   }  // answers handed over here
//
// Batches nest (the outermost one hands over). Not copyable or movable;
// create and destroy it on one thread.
class ResponseBatch {
 public:
  ResponseBatch();
  ~ResponseBatch();
  ResponseBatch(const ResponseBatch&) = delete;
  ResponseBatch& operator=(const ResponseBatch&) = delete;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on a network thread: must not block (hand blocking work to a
  // pool) and must eventually call `respond`.
  virtual void Handle(HttpRequest request, Responder respond) = 0;
};

// ErrorResponse: a JSON error answer in the API's format,
// {"error":{"code":"...","message":"..."}}, strings escaped.
//
//   respond(ErrorResponse(413, "body_too_large", "at most 1 MiB"));
HttpResponse ErrorResponse(int status, std::string_view code,
                           std::string_view message);

struct ServerStats {
  uint64_t connections_open = 0;
  uint64_t connections_total = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t requests = 0;  // passed to the handler, rejections included
  uint64_t rejected = 0;  // requests refused by limits
  uint64_t timeouts = 0;  // connections closed by read_deadline/idle_timeout
};

class HttpServer {
 public:
  // Binds and starts serving on `io_threads` threads. `handler` must
  // outlive the server. Fails (InvalidArgument) for plain HTTP on a
  // non-loopback address, or if the certificate or key cannot be loaded.
  static StatusOr<std::unique_ptr<HttpServer>> Start(
      const ServerOptions& options, Handler* handler);
  ~HttpServer();  // Shutdown()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port bound (useful with port 0).
  uint16_t port() const;
  // Stops accepting, waits for in-flight requests to be answered and sent
  // (at most `grace`), closes every connection, joins the threads.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Blocks until SIGTERM or SIGINT (or Shutdown from another thread), then
  // shuts down.
  void WaitForSignal();
  ServerStats stats() const;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes a new self-signed certificate (EC P-256, SAN localhost, 127.0.0.1
// and ::1, valid one year) and its key (mode 0600) unless both files exist.
Status EnsureSelfSignedCertificate(const std::string& cert_file,
                                   const std::string& key_file);

}  // namespace haven::server

#endif  // HAVEN_SERVER_HTTP_SERVER_H_
