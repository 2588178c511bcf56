#pragma once
// Writing imported records: JSON (with per-file counts and warnings), CSV (one row per record)
// and RIS (a re-export any reference manager reads). Pure formatting; nothing is printed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/review/import.hpp"
#include "metasift/review/record.hpp"

namespace metasift::review {

/// The formats records are written in (import, dedup): JSON, CSV or RIS.
enum class records_format { json, csv, ris };
/// "json", "csv" or "ris", in any case; nullopt for another name.
[[nodiscard]] std::optional<records_format> parse_records_format(std::string_view name) noexcept;

/// {"records":[...], "files":[{"file","format","charset","count"}], "warnings":[...]} for the
/// results of one import run, records in file order. A record's keys are the fields of
/// review::record; an unknown year is null.
[[nodiscard]] std::string format_import_json(const std::vector<import_result>& results);

/// CSV (RFC 4180, "\n" line ends) with a header row and one row per record; the authors and
/// keywords lists are joined with "; ".
[[nodiscard]] std::string format_records_csv(const std::vector<record>& records);

/// RIS ("\r\n" line ends, as the format prescribes). Types map to TY (review -> JOUR with
/// "M3  - Review", preprint -> GEN with "M3  - Preprint"); pages split into SP/EP; the PMID goes
/// to C2 (as Scopus writes it) and the source id to ID. Importing the output gives back the same
/// bibliographic fields.
[[nodiscard]] std::string format_records_ris(const std::vector<record>& records);

}  // namespace metasift::review
