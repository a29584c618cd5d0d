// beast_fixed_server: a minimal Boost.Beast HTTP/1.1 server answering every
// request with a fixed JSON body — the "minimal Beast server" baseline that
// issue 4 names for the gateway's wrk figures (BENCHMARKS.md, "Gateway").
//
//   beast_fixed_server --listen 127.0.0.1:8080 --threads 2
//   beast_fixed_server --listen 127.0.0.1:8443 --tls-cert c.pem --tls-key k.pem
//
// It is Beast used the plain way, with none of Haven's server work: one
// io_context run by N threads, one strand per connection, `http::async_read`
// into a `request<string_body>`, a `response<string_body>` serialized by
// `http::async_write`, keep-alive. No limits, timeouts or connection cap
// beyond Beast's defaults: it is a yardstick, never a server to deploy.
// Runs until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/http_server.h"  // EnsureSelfSignedCertificate

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const std::string kBody =
    R"({"results":[],"withheld_fields":[],"audit":{"index":0}})";

// One connection: read a request, write the fixed answer, repeat while the
// client keeps the connection alive. Stream is beast::tcp_stream or
// beast::ssl_stream<beast::tcp_stream>.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  explicit Session(Stream stream) : stream_(std::move(stream)) {}

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      Read();
    } else {
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->Read();
          });
    }
  }

 private:
  void Read() {
    request_ = {};
    http::async_read(
        stream_, buffer_, request_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
          if (!ec) self->Write();
        });
  }

  void Write() {
    response_ =
        http::response<http::string_body>(http::status::ok, request_.version());
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(request_.keep_alive());
    response_.body() = kBody;
    response_.prepare_payload();
    http::async_write(
        stream_, response_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
          if (!ec && self->response_.keep_alive()) self->Read();
        });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void Accept(tcp::acceptor& acceptor, asio::io_context& io,
            asio::ssl::context* tls) {
  acceptor.async_accept(
      asio::make_strand(io),
      [&acceptor, &io, tls](beast::error_code ec, tcp::socket socket) {
        if (!ec) {
          socket.set_option(tcp::no_delay(true));
          if (tls == nullptr) {
            std::make_shared<Session<beast::tcp_stream>>(
                beast::tcp_stream(std::move(socket)))
                ->Start();
          } else {
            std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
                beast::ssl_stream<beast::tcp_stream>(
                    beast::tcp_stream(std::move(socket)), *tls))
                ->Start();
          }
        }
        Accept(acceptor, io, tls);
      });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "a minimal Boost.Beast server answering a fixed JSON body "
      "(benchmark baseline)");
  std::string listen = "127.0.0.1:8080";
  std::string cert_file, key_file;
  int threads = 2;
  app.add_option("--listen", listen, "ADDR:PORT");
  app.add_option("--tls-cert", cert_file, "PEM certificate (with --tls-key)");
  app.add_option("--tls-key", key_file, "PEM private key");
  app.add_option("--threads", threads, "threads running the io_context")
      ->check(CLI::Range(1, 256));
  CLI11_PARSE(app, argc, argv);

  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "--listen: want ADDR:PORT, got %s\n", listen.c_str());
    return 2;
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(listen.substr(0, colon), ec);
  if (ec) {
    std::fprintf(stderr, "--listen: bad address in %s\n", listen.c_str());
    return 2;
  }
  const auto port =
      static_cast<unsigned short>(std::stoul(listen.substr(colon + 1)));

  std::unique_ptr<asio::ssl::context> tls;
  if (!cert_file.empty() || !key_file.empty()) {
    haven::Status s =
        haven::server::EnsureSelfSignedCertificate(cert_file, key_file);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    tls->use_certificate_chain_file(cert_file);
    tls->use_private_key_file(key_file, asio::ssl::context::pem);
  }

  asio::io_context io(threads);
  tcp::acceptor acceptor(io, {address, port});
  Accept(acceptor, io, tls.get());
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](beast::error_code, int) { io.stop(); });
  std::printf("listening on port %u\n",
              static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
