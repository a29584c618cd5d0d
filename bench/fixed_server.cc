// fixed_server: HttpServer answering every request at once with a fixed small
// JSON body — the baseline the gateway's wrk figures are measured against
// (BENCHMARKS.md, "HTTP server baseline").
//
//   fixed_server --listen 127.0.0.1:8080 --plain-http --threads 2
//   fixed_server --listen 127.0.0.1:8443 --tls-cert c.pem --tls-key k.pem
//   fixed_server --listen 127.0.0.1:8080 --plain-http --body-file answer.json
//
// --body-file answers with that file's bytes instead (a real search answer,
// say): the transport's cost for a body of the gateway's size, without the
// pipeline.
//
// With --tls-cert/--tls-key naming files that do not exist, a self-signed
// certificate is written there first. Runs until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "server/http_server.h"

namespace {

class FixedHandler : public haven::server::Handler {
 public:
  explicit FixedHandler(std::string body) : body_(std::move(body)) {}

  void Handle(haven::server::HttpRequest request,
              haven::server::Responder respond) override {
    if (request.rejection.status != 0) {
      respond(haven::server::ErrorResponse(request.rejection.status,
                                           request.rejection.code,
                                           request.rejection.message));
      return;
    }
    haven::server::HttpResponse r;
    r.body = body_;
    respond(std::move(r));
  }

 private:
  const std::string body_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("HttpServer answering a fixed JSON body (benchmark baseline)");
  haven::server::ServerOptions options;
  options.listen = "127.0.0.1:8443";
  app.add_option("--listen", options.listen, "ADDR:PORT");
  app.add_flag("--plain-http", options.plain_http,
               "no TLS (loopback addresses only)");
  app.add_option("--tls-cert", options.tls_cert_file, "PEM certificate");
  app.add_option("--tls-key", options.tls_key_file, "PEM private key");
  app.add_option("--threads", options.io_threads, "io threads")
      ->check(CLI::Range(1, 256));
  std::string body_file;
  app.add_option("--body-file", body_file, "answer with this file's bytes")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);

  std::string body =
      R"({"results":[],"withheld_fields":[],"audit":{"index":0}})";
  if (!body_file.empty()) {
    std::ifstream in(body_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
      std::fprintf(stderr, "cannot read %s\n", body_file.c_str());
      return 1;
    }
    body = text.str();
  }

  if (!options.plain_http) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      std::fprintf(stderr, "give --tls-cert and --tls-key, or --plain-http\n");
      return 2;
    }
    haven::Status s = haven::server::EnsureSelfSignedCertificate(
        options.tls_cert_file, options.tls_key_file);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  FixedHandler handler(std::move(body));
  auto server = haven::server::HttpServer::Start(options, &handler);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("listening on port %u\n",
              static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);
  (*server)->WaitForSignal();
  haven::server::ServerStats st = (*server)->stats();
  std::printf("requests %llu, connections %llu, refused %llu\n",
              static_cast<unsigned long long>(st.requests),
              static_cast<unsigned long long>(st.connections_total),
              static_cast<unsigned long long>(st.connections_refused));
  return 0;
}
