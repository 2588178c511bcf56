#pragma once
// A bibliographic record as every importer normalises it. The review module works only with
// these; it never sees the vendor formats. Plain struct: writers and the audit trail read it
// directly.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace metasift::review {

/// Publication types after normalisation (RIS TY, MEDLINE PT, WoS DT, BibTeX entry type, ...).
enum class record_type { journal_article, review, conference_paper, book, chapter, thesis, report, preprint, other };

struct record {
  std::string id;               ///< identity in the review: the DOI if any, else "<source name>:<source_id>"
  std::string source_file;      ///< path as given on the command line / in review.toml
  std::size_t source_line = 0;  ///< 1-based line where the record starts in source_file
  std::string source_id;  ///< the file's own id (RIS ID/AN, PMID, WoS UT, BibTeX key, EndNote rec-number, CSV id), else
                          ///< the row number
  std::string source_format;  ///< "ris", "medline", "wos", "wos-tab", "scopus-csv", "bibtex", "endnote-xml",
                              ///< "pubmed-xml", "refer", "refworks", "csv", "xlsx"
  std::string database;       ///< vendor/database when the export says so (e.g. "Scopus", "PubMed", "Web of Science")
  record_type type = record_type::other;
  std::string title;
  std::vector<std::string> authors;  ///< "Family, Given" as exported, one per author
  int year = 0;                      ///< 0 = unknown
  std::string journal;
  std::string volume;
  std::string issue;
  std::string pages;
  std::string doi;  ///< lower-case, without "https://doi.org/" or "doi:" prefixes
  std::string pmid;
  std::string issn;
  std::string abstract;
  std::vector<std::string> keywords;
  std::string language;
  std::string url;
};

/// "journal-article", "review", ... (the names used in review.toml and JSON).
[[nodiscard]] const char* to_string(record_type t) noexcept;

/// The inverse of to_string ("journal-article" -> journal_article; '_' is accepted for '-');
/// nullopt for any other name.
[[nodiscard]] std::optional<record_type> parse_record_type(std::string_view name) noexcept;

}  // namespace metasift::review
