// Gateway: Haven's enforcement pipeline behind the HTTP server — every query
// an outside agency makes passes through it (DESIGN.md, "The path of one
// query"):
//
//   authenticate → validate → authorize (Cedar) → query → redact each field
//   (Cedar) → append the audit entry to the ledger, durably → answer
//
//   StatusOr<std::unique_ptr<Gateway>> g = Gateway::Open({.data_dir = dir});
//   StatusOr<std::unique_ptr<server::HttpServer>> s =
//       server::HttpServer::Start(server_options, g->get());
//   (*s)->WaitForSignal();
//   (*g)->Close();  // records pending directory changes, flushes the ledger
//
// The data directory holds directory.db (agencies, users, tokens),
// records.db, policies/*.cedar and ledger/ (see docs/gateway.md).
//
// No answer without a record: every request to the API (/v1/search,
// /v1/records, /v1/ledger/entries, unknown paths, and requests the server
// refused for size or form) is written to the ledger before its answer
// leaves, and the answer carries the entry's index; if the ledger cannot
// write, the client gets 503 and nothing else. The public transparency and
// monitoring endpoints (/v1/ledger/checkpoint, /v1/ledger/proof/N,
// /healthz, /metrics) read no records and are not logged.
//
// Threads: Handle runs on the server's network threads and only hands the
// request to a pool of `workers` threads, which do everything that blocks
// (SQLite, ledger proofs); answers are sent from the ledger's completion
// thread once the entry is durable. A background thread records directory
// changes (made by `haven agency|user|token` while the server runs) in the
// ledger. Thread-safe.
#ifndef HAVEN_GATEWAY_GATEWAY_H_
#define HAVEN_GATEWAY_GATEWAY_H_

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "base/status.h"
#include "ledger/ledger.h"
#include "server/http_server.h"

namespace haven::gateway {

struct GatewayOptions {
  std::string data_dir;
  // Threads that run queries: one per core, at least 2. While the records
  // store's pages are in memory a query never waits, and more workers than
  // cores only add context switches (BENCHMARKS.md, "Gateway").
  int workers =
      std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  // The ledger's options. Unlike the library's default (1 ms), the gateway
  // syncs at most every 3 ms unless a batch is full: on two cores each
  // fdatasync costs the machine ~0.2 ms of CPU (the virtio disk's kicks and
  // interrupts), which under load is CPU that answers need, while an answer
  // waits at most 3 ms longer for its entry (BENCHMARKS.md, "Gateway").
  ledger::Options ledger = [] {
    ledger::Options o;
    o.min_sync_interval = std::chrono::microseconds(3000);
    return o;
  }();
  // Requests per second allowed per credential (a token bucket holding
  // `rate_burst`); 0 turns rate limiting off. Over it: 429.
  double rate_per_second = 50;
  double rate_burst = 100;
  // How often directory changes are looked for and recorded.
  std::chrono::milliseconds change_poll{200};
};

class Gateway : public server::Handler {
 public:
  // Opens the directory, records, policies and ledger of `data_dir` and logs
  // the policy load (bundle hash and policy ids) in the ledger.
  static StatusOr<std::unique_ptr<Gateway>> Open(const GatewayOptions& options);
  ~Gateway() override;

  void Handle(server::HttpRequest request, server::Responder respond) override;

  // Stops the workers (after they finish), records pending directory
  // changes and closes the ledger (signing a final checkpoint).
  void Close();

  ledger::Ledger& ledger();

  // One line for the operator: the policies enforced (count, sealed, bundle
  // hash) and the ledger (origin, size).
  std::string Summary() const;

 private:
  struct Impl;
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_GATEWAY_H_
