// Running the gateway: shared by `haven serve` and `haven demo`.
//
//   ServeConfig config;
//   config.data_dir = "city";
//   int status = RunGateway(config, [](const std::string& url) {
//     std::cout << "serving " << url << "\n";
//   });
//
// Blocks until SIGTERM or SIGINT, then finishes in-flight requests, flushes
// the ledger and returns the exit status. Main thread only.
#ifndef HAVEN_CLI_SERVE_H_
#define HAVEN_CLI_SERVE_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "gateway/gateway.h"
#include "server/http_server.h"

namespace haven::cli {

struct ServeConfig {
  std::string data_dir;
  server::ServerOptions server;
  gateway::GatewayOptions gateway;
};

// Adds the options shared by serve and demo (--listen, --plain-http, TLS
// files, limits, threads, rate limit) to `cmd`, bound to `config`.
void AddServeOptions(CLI::App* cmd, ServeConfig* config);

// Serves until a signal. `on_ready` gets the base URL once listening.
int RunGateway(ServeConfig config,
               const std::function<void(const std::string& url)>& on_ready);

}  // namespace haven::cli

#endif  // HAVEN_CLI_SERVE_H_
