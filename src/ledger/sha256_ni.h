// SHA-256 on the x86 SHA extensions (SHA-NI), one message or two at once.
//
// Internal to the ledger: HashLeafPair and HashChildrenPair (hash.h) use it
// to hash a batch's leaves and nodes two at a time. On the CPUs the ledger runs
// on, one SHA256RNDS2 waits for the previous one's result (latency 4 cycles or
// more, throughput one per 1-2 cycles), so one message leaves the unit partly
// idle; two independent messages interleaved round by round give 1.3-1.5 times
// the hashes per second on the benchmark machine (BM_HashLeafPair). OpenSSL has
// no such interface (its multi-block code serves only TLS records).
//
//   if (sha256_ni::Available()) {
//     sha256_ni::HashPrefixed2(0x00, a, 0x00, b, &ha, &hb);
//   }
//
// Pure functions; thread-safe. Calling the hash functions when Available()
// is false is undefined (an illegal instruction).
#ifndef HAVEN_LEDGER_SHA256_NI_H_
#define HAVEN_LEDGER_SHA256_NI_H_

#include <string_view>

#include "ledger/hash.h"

namespace haven::ledger::sha256_ni {

// True if this CPU has SHA-NI, SSSE3 and SSE4.1 (checked once, by CPUID).
// False on other architectures and under emulators that hide them.
bool Available();

// SHA-256(prefix ‖ data).
Hash HashPrefixed(unsigned char prefix, std::string_view data);

// SHA-256(prefix_a ‖ a) into *ha and SHA-256(prefix_b ‖ b) into *hb,
// computed together.
void HashPrefixed2(unsigned char prefix_a, std::string_view a,
                   unsigned char prefix_b, std::string_view b, Hash* ha,
                   Hash* hb);

}  // namespace haven::ledger::sha256_ni

#endif  // HAVEN_LEDGER_SHA256_NI_H_
