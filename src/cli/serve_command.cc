// `haven serve`: the gateway on a data directory (docs/gateway.md).
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/serve.h"

namespace haven::cli {

void AddServeOptions(CLI::App* cmd, ServeConfig* c) {
  cmd->add_option("--listen", c->server.listen, "ADDR:PORT to listen on")
      ->capture_default_str();
  cmd->add_flag("--plain-http", c->server.plain_http,
                "serve HTTP without TLS (loopback addresses only)");
  cmd->add_option("--tls-cert", c->server.tls_cert_file,
                  "PEM certificate chain (default: DIR/tls/cert.pem, "
                  "self-signed on first start)");
  cmd->add_option("--tls-key", c->server.tls_key_file, "PEM private key");
  cmd->add_option("--io-threads", c->server.io_threads, "network threads")
      ->capture_default_str();
  cmd->add_option("--workers", c->gateway.workers,
                  "threads for queries, policies and the records store")
      ->capture_default_str();
  cmd->add_option("--max-header-bytes", c->server.limits.max_header_bytes)
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", c->server.limits.max_body_bytes)
      ->capture_default_str();
  cmd->add_option("--max-connections", c->server.limits.max_connections)
      ->capture_default_str();
  cmd->add_option_function<int64_t>(
         "--read-deadline-ms",
         [c](int64_t ms) {
           c->server.limits.read_deadline = std::chrono::milliseconds(ms);
         },
         "a request must arrive whole within this time (default 10000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option_function<int64_t>(
         "--idle-timeout-ms",
         [c](int64_t ms) {
           c->server.limits.idle_timeout = std::chrono::milliseconds(ms);
         },
         "close idle keep-alive connections after this (default 30000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option_function<int64_t>(
         "--ledger-sync-interval-us",
         [c](int64_t us) {
           c->gateway.ledger.min_sync_interval = std::chrono::microseconds(us);
         },
         "least time between two of the ledger's fdatasyncs unless a batch "
         "is full: fewer, larger syncs under load, at most this much more "
         "latency per answer (default 3000; 0: sync as soon as the disk is "
         "free)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--rate-limit", c->gateway.rate_per_second,
                  "requests per second per credential; 0 turns it off")
      ->capture_default_str();
  cmd->add_option("--rate-burst", c->gateway.rate_burst,
                  "requests a credential may make at once")
      ->capture_default_str();
}

int RunGateway(ServeConfig config,
               const std::function<void(const std::string& url)>& on_ready) {
  const std::string& dir = config.data_dir;
  config.gateway.data_dir = dir;
  if (!config.server.plain_http) {
    if (config.server.tls_cert_file.empty() !=
        config.server.tls_key_file.empty()) {
      return Fail("--tls-cert and --tls-key go together");
    }
    if (config.server.tls_cert_file.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir + "/tls", ec);
      config.server.tls_cert_file = dir + "/tls/cert.pem";
      config.server.tls_key_file = dir + "/tls/key.pem";
      Status s = server::EnsureSelfSignedCertificate(
          config.server.tls_cert_file, config.server.tls_key_file);
      if (!s.ok()) return Fail(s.ToString());
    }
  }
  StatusOr<std::unique_ptr<gateway::Gateway>> g =
      gateway::Gateway::Open(config.gateway);
  if (!g.ok()) return Fail("cannot open " + dir + ": " + g.status().ToString());
  std::cerr << "haven: " << (*g)->Summary() << "\n";
  StatusOr<std::unique_ptr<server::HttpServer>> s =
      server::HttpServer::Start(config.server, g->get());
  if (!s.ok()) {
    (*g)->Close();
    return Fail(s.status().ToString());
  }
  std::string host =
      config.server.listen.substr(0, config.server.listen.rfind(':'));
  std::string url = std::string(config.server.plain_http ? "http" : "https") +
                    "://" + host + ":" + std::to_string((*s)->port());
  on_ready(url);
  (*s)->WaitForSignal();
  (*g)->Close();
  std::cerr << "haven: stopped; every request was recorded in " << dir
            << "/ledger\n";
  return 0;
}

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto config = std::make_shared<ServeConfig>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the gateway API over a data directory");
  cmd->add_option("--data", config->data_dir,
                  "data directory (directory.db, records.db, policies/, "
                  "ledger/)")
      ->required();
  AddServeOptions(cmd, config.get());
  cmd->callback([config, exit_code] {
    *exit_code = RunGateway(*config, [](const std::string& url) {
      std::cout << "haven: serving " << url << std::endl;
    });
  });
}

}  // namespace haven::cli
