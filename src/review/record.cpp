// Names of the normalised publication types.

#include "metasift/review/record.hpp"

#include <array>

namespace metasift::review {
namespace {

constexpr std::array<record_type, 9> all_types = {record_type::journal_article,
                                                  record_type::review,
                                                  record_type::conference_paper,
                                                  record_type::book,
                                                  record_type::chapter,
                                                  record_type::thesis,
                                                  record_type::report,
                                                  record_type::preprint,
                                                  record_type::other};

}  // namespace

const char* to_string(record_type t) noexcept {
  switch (t) {
    case record_type::journal_article: return "journal-article";
    case record_type::review: return "review";
    case record_type::conference_paper: return "conference-paper";
    case record_type::book: return "book";
    case record_type::chapter: return "chapter";
    case record_type::thesis: return "thesis";
    case record_type::report: return "report";
    case record_type::preprint: return "preprint";
    case record_type::other: return "other";
  }
  return "other";
}

std::optional<record_type> parse_record_type(std::string_view name) noexcept {
  for (const record_type t : all_types) {
    const std::string_view s = to_string(t);
    if (s.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < s.size() && same; ++i) {
      const char c = name[i] == '_' ? '-' : name[i];
      same = (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == s[i];
    }
    if (same) return t;
  }
  return std::nullopt;
}

}  // namespace metasift::review
