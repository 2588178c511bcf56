#pragma once
// The data-extraction codebook of a review (PRISMA 2020 items 9 and 10): the variables to extract,
// typed and checked, and the extraction files of one or more extractors (docs/extraction.md).
//
//   [extraction]
//   extractors = { reviewer_a = "extraction/a.csv", reviewer_b = "extraction/b.csv" }  # or file = "..."
//   consensus = "extraction/consensus.csv"     # optional: what the analyses read
//   characteristics = ["country", "design"]    # optional: the fields of the report's table (default all)
//   [[extraction.fields]]
//   id = "country"
//   type = "enum"              # number | integer | text | enum | year | boolean
//   values = ["China", "Australia", "Other"]   # enum only
//   required = true            # optional (default false): a blank cell is an error
//   min = 1                    # optional, number/integer/year only; max likewise
//   description = "..."        # optional
//
// An extraction file has one row per included record: a `record` column (record id such as
// 'Scopus:S14', "<source>:<id>" or DOI, as the study data of `metasift run`), one column per field,
// and optional `source` columns (named source or ending in _source: page or table of the paper).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"

namespace metasift::review {

struct screen_result;
struct field_criterion;  // criteria.hpp

enum class field_type { number, integer, text, enumeration, year, boolean };

/// "number", "integer", "text", "enum", "year", "boolean".
[[nodiscard]] std::string_view to_string(field_type t) noexcept;

struct extraction_field {
  std::string id;
  field_type type = field_type::text;
  std::vector<std::string> values;  ///< allowed values of an enum, as written
  bool required = false;
  std::optional<double> min, max;
  std::string description;
  source_position where;  ///< its [[extraction.fields]] table in review.toml
};

struct extraction_file {
  std::string name;            ///< extractor name ("" for file = ...)
  std::string label;           ///< the path as written
  std::filesystem::path path;  ///< resolved against the review folder
  source_position where;       ///< the key in review.toml
};

struct extraction_spec {
  std::vector<extraction_field> fields;
  std::vector<extraction_file> extractors;  ///< extractors = {...} in name order, or the one file = ...
  std::optional<extraction_file> consensus;
  /// The fields shown in the report's "Characteristics of included studies" table, in this order
  /// (`characteristics = [...]`; every field, in codebook order, when the key is absent).
  std::vector<std::string> characteristics;
  source_position where;  ///< the [extraction] table
};

/// The codebook field named `id` (compared ignoring case, as the ids are unique that way), or null.
[[nodiscard]] const extraction_field* find_field(const extraction_spec& spec, std::string_view id);

/// Comparison form of a cell of field f, as the check compares extractors: numbers as numbers
/// ("3" and "3.0" agree), booleans as true/false ("yes" and "1" agree), text trimmed; "" for a blank
/// (empty, NA or .).
[[nodiscard]] std::string canonical_value(const extraction_field& f, std::string_view cell);

/// Reads the [extraction] table of a review file; nullopt when there is none. Throws input_error at
/// review.toml:line:column for an unknown key, a field without id or type, an unknown type, a
/// duplicate id (or one named record or source), values on a non-enum field or an enum without
/// values, min/max on a field that is not a number, integer or year, min > max, neither or both of
/// extractors and file, and a path outside the review folder (unless allow_outside).
[[nodiscard]] std::optional<extraction_spec> parse_extraction(std::string_view toml_text,
                                                              const std::filesystem::path& path,
                                                              bool allow_outside = false);

/// One record of the screened review, as the check sees it (duplicates already mapped to the record
/// they duplicate).
struct record_ref {
  std::string key;  ///< "<source>:<id>", shown in reports
  std::string id;   ///< the record's identity (DOI or key)
  std::string doi;  ///< lower-case, may be empty
  std::string title;
  bool included = false;
  std::string status;  ///< "excluded at full text", ... (for messages about rows of excluded records)
};

/// An included record whose resolved extracted value fails a criterion on an extracted field
/// (`[[criteria]]` with field and allowed, docs/extraction.md).
struct criterion_flag {
  std::string criterion;  ///< the criterion's id
  std::string reason;     ///< its reason
  std::string record;     ///< record key
  std::string field;      ///< the codebook field's id
  std::string value;      ///< the resolved value, trimmed
  std::vector<std::string> allowed;
};

/// "criterion 'china' (Not about China): included record DB:S16 has country = 'Australia' (allowed:
/// China)".
[[nodiscard]] std::string describe(const criterion_flag& f);

/// Extractors who disagree on one field of one record.
struct discrepancy {
  std::string record;  ///< record key
  std::string field;
  std::vector<std::pair<std::string, std::string>> values;  ///< extractor -> cell as typed ("" = blank)
  std::optional<std::string> consensus;                     ///< the consensus file's value, when it has one
};

struct extraction_check {
  std::vector<std::string> errors;          ///< "file:line:col: column 'x': message", file order
  std::vector<discrepancy> discrepancies;   ///< record order of the review, then codebook order
  std::vector<std::string> missing;         ///< included records without a row in some extraction file
  std::vector<std::string> missing_detail;  ///< aligned with missing: "Scopus:S7 (Title): no row in reviewer_b"
  std::vector<std::string> notes;           ///< e.g. the consensus file does not exist yet
  std::vector<criterion_flag> criteria;     ///< filled by check_field_criteria, not by check_extraction
  std::size_t included = 0;                 ///< included records
};

/// Validates every cell of every extraction file (and of the consensus file when it exists) against
/// the codebook, and compares the extractors. Cell problems are collected, not thrown: a value
/// outside its type or allowed values, a blank required cell, a value outside min/max, a row whose
/// record is unknown or not included, a second row for one record, a codebook field without a
/// column, a column that is no field. Throws io_error when an extraction file cannot be read and
/// input_error when it is not a table at all (e.g. an unterminated quote).
[[nodiscard]] extraction_check check_extraction(const extraction_spec& spec, const std::vector<record_ref>& records);

/// The records of a screened review as the extraction check sees them: every record (a duplicate
/// names the record it duplicates), plus an alias row for each duplicate's own key.
[[nodiscard]] std::vector<record_ref> record_refs(const screen_result& screened);

/// The extracted values the analyses and the report read (docs/extraction.md): for each included
/// record with a row and each field, the consensus file's value when it has a row for the record,
/// else the extractors' value when they agree (compared as check_extraction compares). A field the
/// extractors disagree on, without a consensus value, is unresolved.
struct extracted_values {
  /// record key -> one entry per codebook field (codebook order): the cell as typed, trimmed ("" for
  /// a blank), or nullopt when unresolved. Records without any row are absent.
  std::map<std::string, std::vector<std::optional<std::string>>> by_record;
  extraction_check check;  ///< the full check (errors, discrepancies, missing rows)
};

/// Checks the extraction files (as check_extraction) and resolves one value per record and field.
/// Throws as check_extraction.
[[nodiscard]] extracted_values resolve_extraction(const extraction_spec& spec, const std::vector<record_ref>& records);

/// Validates the criteria on extracted fields against the codebook, before any value is read. Throws
/// input_error at review.toml:line:column when the review has no codebook (at the criterion's field),
/// the field is not in the codebook, or an allowed value could never pass: blank, not of the field's
/// type, not one of an enum's values, or outside the field's min/max (the same rules as a cell of
/// the extraction files, so a criterion cannot silently flag every record).
void validate_field_criteria(const std::vector<field_criterion>& criteria, const extraction_spec* codebook);

/// The included records whose resolved value fails a criterion, in criterion order and then record
/// order. Values are compared as the extractors are (canonical_value: "3" passes allowed = [3.0]).
/// Blank, disputed (unresolved) and missing values are not flagged: the extraction check reports them.
/// Call validate_field_criteria first.
[[nodiscard]] std::vector<criterion_flag> check_field_criteria(const std::vector<field_criterion>& criteria,
                                                               const extraction_spec& codebook,
                                                               const extracted_values& values);

/// Text report of a check (one finding per line, for people).
[[nodiscard]] std::string format_extraction_text(const extraction_check& c, const extraction_spec& spec);
/// {"errors":[...],"discrepancies":[{"record","field","values":{extractor:value},"consensus"?}],
///  "missing":[records],"missing_detail":[...],"notes":[...],
///  "criteria":[{"criterion","reason","record","field","value","allowed":[...]}]}; a blank value is null.
[[nodiscard]] std::string format_extraction_json(const extraction_check& c);

}  // namespace metasift::review
