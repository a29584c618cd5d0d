// `haven import incidents|vehicles FILE --data DIR` and `haven generate
// --data DIR`: fill the records store, DIR/records.db (src/records).
// Exit status: 0 success, 2 bad input (the message names the file, line and
// column) or an operational error.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "records/import.h"
#include "records/records.h"

namespace haven::cli {
namespace {

namespace hr = haven::records;

int Fail(std::string_view command, const Status& s) {
  std::cerr << "haven " << command << ": " << s.message() << "\n";
  return 2;
}

// Opens DIR/records.db, creating DIR if missing.
StatusOr<std::unique_ptr<hr::Store>> OpenStore(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  return hr::Store::Open(dir + "/records.db", {});
}

int RunImport(hr::Dataset d, const std::string& file, const std::string& dir,
              bool skip_bad_rows) {
  const std::string command = "import " + std::string(hr::DatasetName(d));
  StatusOr<std::unique_ptr<hr::Store>> store = OpenStore(dir);
  if (!store.ok()) return Fail(command, store.status());
  hr::ImportOptions options;
  options.skip_bad_rows = skip_bad_rows;
  StatusOr<hr::ImportReport> r =
      d == hr::Dataset::kIncidents ? hr::ImportIncidents(**store, file, options)
                                   : hr::ImportVehicles(**store, file, options);
  if (!r.ok()) return Fail(command, r.status());
  for (const std::string& line : r->skipped) {
    std::cerr << "haven " << command << ": skipped " << file << " " << line
              << "\n";
  }
  std::cout << "imported " << r->imported << " of " << r->rows << " rows; "
            << r->skipped.size() << " skipped";
  if (r->duplicates > 0) {
    std::cout << "; " << r->duplicates << " already present";
  }
  std::cout << "\n";
  std::cout.flush();
  return 0;
}

int RunGenerate(const std::string& dir, const hr::GenerateOptions& options) {
  StatusOr<std::unique_ptr<hr::Store>> store = OpenStore(dir);
  if (!store.ok()) return Fail("generate", store.status());
  auto t0 = std::chrono::steady_clock::now();
  Status s = hr::Generate(**store, options);
  if (!s.ok()) {
    // The library's message already starts "generate: ".
    std::cerr << "haven " << s.message() << "\n";
    return 2;
  }
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  std::printf(
      "generated %lld persons, %lld plate reads, %lld warrants in %.1f s "
      "(%s/records.db)\n",
      static_cast<long long>(options.persons),
      static_cast<long long>(options.plate_reads),
      static_cast<long long>(options.warrants), secs, dir.c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace

void AddImportCommands(CLI::App& app, int* exit_code) {
  CLI::App* import = app.add_subcommand(
      "import", "Import City of Chicago open-data CSV into DIR/records.db");
  import->require_subcommand(1);
  for (hr::Dataset d : {hr::Dataset::kIncidents, hr::Dataset::kVehicles}) {
    const bool incidents = d == hr::Dataset::kIncidents;
    auto* cmd = import->add_subcommand(
        std::string(hr::DatasetName(d)),
        incidents ? "Import a \"Crimes - 2001 to present\" CSV export"
                  : "Import a \"Towed Vehicles\" CSV export");
    auto file = std::make_shared<std::string>();
    auto dir = std::make_shared<std::string>();
    auto skip = std::make_shared<bool>(false);
    cmd->add_option("FILE", *file, "The CSV file")->required();
    cmd->add_option("--data", *dir, "Data directory (holds records.db)")
        ->required();
    cmd->add_flag("--skip-bad-rows", *skip,
                  "Import the good rows and list the bad ones on stderr "
                  "(default: a bad row imports nothing)");
    cmd->callback([=] { *exit_code = RunImport(d, *file, *dir, *skip); });
  }

  auto* gen = app.add_subcommand(
      "generate",
      "Add synthetic persons, plate reads and warrants to DIR/records.db "
      "(deterministic for a seed; MARIA LOPEZ, plate MLZ4120, always)");
  auto dir = std::make_shared<std::string>();
  auto options = std::make_shared<hr::GenerateOptions>();
  gen->add_option("--data", *dir, "Data directory (holds records.db)")
      ->required();
  gen->add_option("--persons", options->persons, "Persons to generate")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{99'999'999}));
  gen->add_option("--plate-reads", options->plate_reads,
                  "License-plate-reader reads to generate")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{9'999'999'999}));
  gen->add_option("--warrants", options->warrants, "Warrants to generate")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{9'999'999}));
  gen->add_option("--seed", options->seed, "Random seed")
      ->capture_default_str();
  gen->callback([=] { *exit_code = RunGenerate(*dir, *options); });
}

}  // namespace haven::cli
