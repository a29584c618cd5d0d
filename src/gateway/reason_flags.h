// Flags the gateway computes from a requester's free-text reason, passed to
// the policies as `context.flags` so that they need not enumerate spellings.
//
//   ReasonFlags("assist ICE+ERO") == {"immigration-terms"}
//
// "immigration-terms": the reason names federal immigration enforcement —
// its agencies (ICE, ERO, CBP, USCIS, HSI, DHS), its forms (I-200, I-205,
// I-247) or words stemming from immigra-, deport-, detain-, alien, removal.
// The 2025 license-plate-reader audits found partner officers writing such
// reasons when running lookups for federal agents.
//
// Pure; thread-safe.
#ifndef HAVEN_GATEWAY_REASON_FLAGS_H_
#define HAVEN_GATEWAY_REASON_FLAGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace haven::gateway {

inline constexpr std::string_view kImmigrationTermsFlag = "immigration-terms";

// The flags `reason` raises, sorted, without duplicates.
std::vector<std::string> ReasonFlags(std::string_view reason);

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_REASON_FLAGS_H_
