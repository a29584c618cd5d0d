// CRC32C (Castagnoli), the checksum of ledger frames (docs/ledger-format.md).
//
//   uint32_t crc = crc32c::Extend(crc32c::Value("abc", 3), "def", 3);
//
// Pure functions; thread-safe. Uses the SSE4.2 crc32 instruction when the CPU
// has it and a table otherwise.
#ifndef HAVEN_LEDGER_CRC32C_H_
#define HAVEN_LEDGER_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace haven::ledger::crc32c {

// Returns the CRC32C of concat(A, data[0,n)) given crc = CRC32C(A).
uint32_t Extend(uint32_t crc, const void* data, size_t n);

// Returns the CRC32C of data[0,n).
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }

}  // namespace haven::ledger::crc32c

#endif  // HAVEN_LEDGER_CRC32C_H_
