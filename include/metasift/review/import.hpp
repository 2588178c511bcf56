#pragma once
// Importing database exports: the format and the charset are detected from the content, never
// from the extension. Supported: RIS (all vendor variants), PubMed MEDLINE, Web of Science tagged
// and tab-delimited, Scopus CSV, BibTeX, EndNote XML, PubMed XML, EndNote/Refer and RefWorks tagged,
// generic CSV/TSV, and Excel .xlsx workbooks (WoS Excel export, Scopus or generic columns).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/review/record.hpp"

namespace metasift::review {

struct import_options {
  std::string database;  ///< database name to record when the export does not say (e.g. from review.toml)
  std::string format;    ///< force a format ("ris", "medline", ...); empty = detect
  std::string charset;   ///< force a charset ("utf-8", "latin-1", "gb18030", ...); empty = detect
};

struct import_result {
  std::string file;
  std::string format;  ///< detected (or forced) format
  /// detected charset: "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "latin-1", "windows-1252", "gb18030"
  std::string charset;
  std::vector<record> records;
  /// "file:line: message" for each malformed record or field; a malformed record is still kept
  /// (with what could be read) or, if nothing could be read, reported here -- never dropped silently.
  std::vector<std::string> warnings;
};

/// The format names: "ris", "medline", "wos", "wos-tab", "scopus-csv", "bibtex", "endnote-xml", "pubmed-xml",
/// "refer" (EndNote/Refer tagged), "refworks", "csv", "xlsx" (an Excel workbook: a ZIP archive, recognised from
/// its bytes by import_bytes, never by detect_format, which reads text).
[[nodiscard]] const std::vector<std::string>& import_formats();

/// Detects the format of UTF-8 text from its content (docs/import.md lists the rules); returns
/// one of import_formats(), or an empty string when nothing fits.
[[nodiscard]] std::string detect_format(std::string_view text);

/// Imports one file. Throws io_error when the file cannot be read and input_error when its format
/// cannot be recognised at all.
[[nodiscard]] import_result import_file(const std::filesystem::path& path, const import_options& opt = {});

/// Imports from memory (bytes in any supported charset); `file_label` names the source in records
/// and messages.
[[nodiscard]] import_result import_bytes(std::string_view bytes, const std::string& file_label,
                                         const import_options& opt = {});

}  // namespace metasift::review
