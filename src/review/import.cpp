// Import entry points: read, decode, detect, dispatch to the format's parser, finish the records.

#include "metasift/review/import.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "import_internal.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/limits.hpp"
#include "metasift/io/file.hpp"
#include "metasift/review/charset.hpp"

namespace metasift::review {
namespace {

/// Canonical format name for a forced --format value (aliases accepted); empty when unknown.
std::string canonical_format(std::string_view f) {
  const std::string k = detail::lower(f);
  if (k == "ris") return "ris";
  if (k == "medline" || k == "nbib" || k == "pubmed") return "medline";
  if (k == "wos" || k == "ciw" || k == "wos-tagged" || k == "isi") return "wos";
  if (k == "wos-tab" || k == "wos-tsv") return "wos-tab";
  if (k == "scopus-csv" || k == "scopus") return "scopus-csv";
  if (k == "bibtex" || k == "bib") return "bibtex";
  if (k == "endnote-xml" || k == "endnote" || k == "xml") return "endnote-xml";
  if (k == "csv" || k == "tsv") return "csv";
  if (k == "pubmed-xml" || k == "efetch") return "pubmed-xml";
  if (k == "refer" || k == "enw" || k == "endnote-tagged") return "refer";
  if (k == "refworks" || k == "refworks-tagged") return "refworks";
  if (k == "xlsx" || k == "excel") return "xlsx";
  return {};
}

/// The file name without folders and extension, for ids of records whose database is unknown.
std::string file_stem(const std::string& label) {
  return std::filesystem::path(label).stem().string();
}

/// Refuses a record with a field beyond its cap (limits.hpp): later stages (dedup compares
/// titles pairwise, the report draws them) must not meet megabyte-long fields.
void check_field_lengths(const record& r, const std::string& file) {
  auto check = [&](std::string_view name, std::size_t size, std::size_t cap, const char* limit) {
    if (size > cap) {
      fail_input(source_position{file, r.source_line, 0}, "",
                 "the record's " + std::string(name) + " is longer than the limit " + limit + " (" +
                     std::to_string(cap) + " bytes)");
    }
  };
  check("title", r.title.size(), limits::record_max_title_bytes, "record_max_title_bytes");
  const std::pair<const char*, const std::string*> fields[] = {
      {"journal", &r.journal},   {"volume", &r.volume}, {"issue", &r.issue},  {"pages", &r.pages},
      {"DOI", &r.doi},           {"PMID", &r.pmid},     {"ISSN", &r.issn},    {"abstract", &r.abstract},
      {"language", &r.language}, {"URL", &r.url},       {"id", &r.source_id}, {"database", &r.database}};
  for (const auto& [name, f] : fields) check(name, f->size(), limits::record_max_field_bytes, "record_max_field_bytes");
  for (const auto& a : r.authors) check("author", a.size(), limits::record_max_field_bytes, "record_max_field_bytes");
  for (const auto& k : r.keywords) check("keyword", k.size(), limits::record_max_field_bytes, "record_max_field_bytes");
}

/// Fills what every format shares (source, ids, database), checks field lengths and sorts the
/// warnings into file order.
import_result finish(import_result res, detail::parse_context ctx, const import_options& opt) {
  const std::string& file_label = res.file;
  const std::string& format = res.format;
  const std::string stem = file_stem(file_label);
  std::size_t ordinal = 0;
  for (record& r : ctx.records) {
    ++ordinal;
    check_field_lengths(r, file_label);
    r.source_file = file_label;
    r.source_format = format;
    if (r.source_id.empty()) r.source_id = std::to_string(ordinal);
    if (r.database.empty()) r.database = opt.database;
    if (!r.doi.empty()) {
      r.id = r.doi;
    } else {
      const std::string& name = !opt.database.empty() ? opt.database : !r.database.empty() ? r.database : stem;
      r.id = name + ":" + r.source_id;
    }
    if (r.title.empty()) ctx.warn(r.source_line, "record " + std::to_string(ordinal) + " has no title");
  }
  if (ctx.records.empty()) ctx.warn(0, "no records found in this " + format + " file");
  res.records = std::move(ctx.records);
  // Warnings in file order (the per-record checks above come after the parser's own).
  std::vector<std::size_t> order(ctx.warnings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ctx.warning_lines[a] < ctx.warning_lines[b]; });
  res.warnings.reserve(order.size());
  for (const std::size_t i : order) res.warnings.push_back(std::move(ctx.warnings[i]));
  return res;
}

}  // namespace

import_result import_bytes(std::string_view bytes, const std::string& file_label, const import_options& opt) {
  import_result res;
  res.file = file_label;
  const source_position whole{file_label, 0, 0};

  std::string format;
  if (!opt.format.empty()) {
    format = canonical_format(opt.format);
    if (format.empty()) {
      fail_usage("--input-format",
                 "unknown format '" + opt.format +
                     "' (expected ris, medline, wos, wos-tab, scopus-csv, bibtex, endnote-xml, pubmed-xml, refer, "
                     "refworks, csv or xlsx)");
    }
  }
  // A ZIP archive is read as an Excel workbook (other Office files are refused by name there).
  const bool zip = bytes.starts_with("PK\x03\x04") || bytes.starts_with("PK\x05\x06");
  if (zip && !format.empty() && format != "xlsx") {
    fail_input(whole, "", "this is a ZIP archive (an .xlsx workbook?), not a " + format + " export");
  }
  if (!zip && format == "xlsx") fail_input(whole, "", "this is not an .xlsx workbook (a ZIP archive)");
  // OLE2 compound files: Excel 97-2003 workbooks, and every password-protected Office file.
  if (bytes.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    fail_input(whole, "",
               "this is an Excel 97-2003 .xls workbook or a password-protected Office file; save it as .xlsx "
               "without a password, or as CSV");
  }
  if (bytes.starts_with("%PDF")) fail_input(whole, "", "this is a PDF, not a bibliographic export");
  if (zip) {
    res.format = "xlsx";
    res.charset = "utf-8";  // the parts' XML, decoded by libxml2 from its declaration
    detail::parse_context ctx;
    ctx.file = file_label;
    detail::parse_xlsx(bytes, ctx);
    return finish(std::move(res), std::move(ctx), opt);
  }

  const decoded_text decoded = decode_text(bytes, opt.charset);
  res.charset = decoded.charset;
  const std::string_view text = decoded.text();
  if (detail::trim(text).empty()) fail_input(whole, "", "file is empty");
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
    fail_input(whole, "", "the file contains NUL bytes; it is not a text export (or its charset is wrong)");
  }

  if (format.empty()) format = detect_format(text);
  if (format.empty()) {
    fail_input(whole, "",
               "cannot recognise the format (expected RIS, PubMed MEDLINE, PubMed XML, Web of Science, Scopus CSV, "
               "BibTeX, EndNote XML, EndNote/Refer tagged, RefWorks tagged or a CSV/TSV with a header)");
  }
  if (format == "noteexpress") {
    fail_input(whole, "", "looks like a NoteExpress file; export as RefWorks or EndNote instead");
  }
  res.format = format;

  detail::parse_context ctx;
  ctx.file = file_label;
  if (decoded.replaced > 0) {
    ctx.warn(decoded.first_replaced_line,
             std::to_string(decoded.replaced) + (decoded.replaced == 1 ? " byte is" : " bytes are") + " not valid " +
                 decoded.charset +
                 (decoded.charset.starts_with("utf-8") ? "; read as Windows-1252 characters (first on this line)"
                                                       : "; replaced with U+FFFD (first on this line)"));
  }

  if (format == "ris") {
    detail::parse_ris(text, ctx);
  } else if (format == "medline") {
    detail::parse_medline(text, ctx);
  } else if (format == "wos") {
    detail::parse_wos(text, ctx);
  } else if (format == "wos-tab") {
    detail::parse_wos_tab(text, ctx);
  } else if (format == "scopus-csv") {
    detail::parse_scopus_csv(text, ctx);
  } else if (format == "bibtex") {
    detail::parse_bibtex(text, ctx);
  } else if (format == "endnote-xml") {
    detail::parse_endnote_xml(text, ctx);
  } else if (format == "pubmed-xml") {
    detail::parse_pubmed_xml(text, ctx);
  } else if (format == "refer") {
    detail::parse_refer(text, ctx);
  } else if (format == "refworks") {
    detail::parse_refworks(text, ctx);
  } else {
    detail::parse_csv_records(text, ctx);
  }

  return finish(std::move(res), std::move(ctx), opt);
}

import_result import_file(const std::filesystem::path& path, const import_options& opt) {
  const std::string bytes = io::read_file(path);
  return import_bytes(bytes, path.string(), opt);
}

}  // namespace metasift::review
