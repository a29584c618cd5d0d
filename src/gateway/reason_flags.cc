#include "gateway/reason_flags.h"

#include <cctype>

namespace haven::gateway {
namespace {

bool NamesImmigrationEnforcement(std::string_view reason) {
  // Whole words (letters, digits and '-'), compared case-insensitively.
  static constexpr std::string_view kWords[] = {
      "ice", "ero", "cbp", "uscis", "hsi", "dhs", "removal", "287g"};
  // DHS forms, with suffixes ("I-247A").
  static constexpr std::string_view kForms[] = {"i-200", "i-205", "i-247",
                                                "i200",  "i205",  "i247"};
  static constexpr std::string_view kStems[] = {"immigra", "deport", "detain",
                                                "alien"};
  std::string lower(reason.size(), '\0');
  for (size_t i = 0; i < reason.size(); ++i) {
    lower[i] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(reason[i])));
  }
  auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  };
  size_t i = 0;
  while (i < lower.size()) {
    while (i < lower.size() && !is_word(lower[i])) ++i;
    size_t j = i;
    while (j < lower.size() && is_word(lower[j])) ++j;
    std::string_view word(lower.data() + i, j - i);
    // "287(g)" splits into "287" and "g"; join them back.
    if (word == "287" && lower.compare(j, 3, "(g)") == 0) return true;
    // Leading and trailing dashes are punctuation ("--ICE--").
    while (!word.empty() && word.front() == '-') word.remove_prefix(1);
    while (!word.empty() && word.back() == '-') word.remove_suffix(1);
    for (std::string_view w : kWords) {
      if (word == w) return true;
    }
    for (std::string_view s : kStems) {
      if (word.starts_with(s)) return true;
    }
    for (std::string_view f : kForms) {
      if (word.starts_with(f)) return true;
    }
    // "ice-ero" or "ice-hsi": check each dash-separated part.
    size_t dash = word.find('-');
    if (dash != std::string_view::npos && !word.starts_with("i-")) {
      size_t p = 0;
      while (p <= word.size()) {
        size_t q = word.find('-', p);
        if (q == std::string_view::npos) q = word.size();
        std::string_view part = word.substr(p, q - p);
        for (std::string_view w : kWords) {
          if (part == w) return true;
        }
        for (std::string_view s : kStems) {
          if (part.starts_with(s)) return true;
        }
        p = q + 1;
      }
    }
    i = j;
  }
  return false;
}

}  // namespace

std::vector<std::string> ReasonFlags(std::string_view reason) {
  std::vector<std::string> flags;
  if (NamesImmigrationEnforcement(reason)) {
    flags.emplace_back(kImmigrationTermsFlag);
  }
  return flags;
}

}  // namespace haven::gateway
