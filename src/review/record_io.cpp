// JSON, CSV and RIS writers for imported records.

#include "metasift/review/record_io.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "metasift/io/csv_writer.hpp"

namespace metasift::review {
namespace {

nlohmann::ordered_json to_json(const record& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["source_file"] = r.source_file;
  j["source_line"] = r.source_line;
  j["source_id"] = r.source_id;
  j["source_format"] = r.source_format;
  j["database"] = r.database;
  j["type"] = to_string(r.type);
  j["title"] = r.title;
  j["authors"] = r.authors;
  j["year"] = r.year != 0 ? nlohmann::ordered_json(r.year) : nlohmann::ordered_json(nullptr);
  j["journal"] = r.journal;
  j["volume"] = r.volume;
  j["issue"] = r.issue;
  j["pages"] = r.pages;
  j["doi"] = r.doi;
  j["pmid"] = r.pmid;
  j["issn"] = r.issn;
  j["abstract"] = r.abstract;
  j["keywords"] = r.keywords;
  j["language"] = r.language;
  j["url"] = r.url;
  return j;
}

void csv_cell(std::string& out, std::string_view s) {
  io::append_csv_text(out, s);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += "; ";
    out += s;
  }
  return out;
}

/// A value on one RIS line: line breaks become spaces.
void ris_line(std::string& out, std::string_view tag, std::string_view value) {
  if (value.empty()) return;
  out.append(tag);
  out += "  - ";
  for (const char c : value) out += (c == '\n' || c == '\r') ? ' ' : c;
  out += "\r\n";
}

}  // namespace

std::string format_import_json(const std::vector<import_result>& results) {
  nlohmann::ordered_json j;
  j["records"] = nlohmann::ordered_json::array();
  j["files"] = nlohmann::ordered_json::array();
  j["warnings"] = nlohmann::ordered_json::array();
  for (const import_result& res : results) {
    for (const record& r : res.records) j["records"].push_back(to_json(r));
    nlohmann::ordered_json f;
    f["file"] = res.file;
    f["format"] = res.format;
    f["charset"] = res.charset;
    f["count"] = res.records.size();
    j["files"].push_back(std::move(f));
    for (const std::string& w : res.warnings) j["warnings"].push_back(w);
  }
  // Invalid UTF-8 cannot occur (every importer decodes to UTF-8), but a replacement beats a throw.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string format_records_csv(const std::vector<record>& records) {
  std::string out =
      "id,source_file,source_line,source_id,source_format,database,type,title,authors,year,journal,volume,issue,"
      "pages,doi,pmid,issn,abstract,keywords,language,url\n";
  for (const record& r : records) {
    const std::string line = std::to_string(r.source_line);
    const std::string year = r.year != 0 ? std::to_string(r.year) : std::string();
    const std::string authors = join(r.authors);
    const std::string keywords = join(r.keywords);
    const std::string_view cells[] = {
        r.id,    r.source_file, line,   r.source_id, r.source_format, r.database, to_string(r.type),
        r.title, authors,       year,   r.journal,   r.volume,        r.issue,    r.pages,
        r.doi,   r.pmid,        r.issn, r.abstract,  keywords,        r.language, r.url};
    bool first = true;
    for (const std::string_view c : cells) {
      if (!first) out += ',';
      first = false;
      csv_cell(out, c);
    }
    out += '\n';
  }
  return out;
}

std::string format_records_ris(const std::vector<record>& records) {
  std::string out;
  for (const record& r : records) {
    const char* ty = "GEN";
    const char* m3 = "";
    switch (r.type) {
      case record_type::journal_article: ty = "JOUR"; break;
      case record_type::review:
        ty = "JOUR";
        m3 = "Review";
        break;
      case record_type::conference_paper: ty = "CONF"; break;
      case record_type::book: ty = "BOOK"; break;
      case record_type::chapter: ty = "CHAP"; break;
      case record_type::thesis: ty = "THES"; break;
      case record_type::report: ty = "RPRT"; break;
      case record_type::preprint:
        ty = "GEN";
        m3 = "Preprint";
        break;
      case record_type::other: ty = "GEN"; break;
    }
    out += "TY  - ";
    out += ty;
    out += "\r\n";
    ris_line(out, "ID", r.source_id);
    ris_line(out, "TI", r.title);
    for (const std::string& a : r.authors) ris_line(out, "AU", a);
    if (r.year != 0) ris_line(out, "PY", std::to_string(r.year));
    ris_line(out, "T2", r.journal);
    ris_line(out, "VL", r.volume);
    ris_line(out, "IS", r.issue);
    const std::size_t dash = r.pages.find('-');
    if (dash != std::string::npos && r.pages.find('-', dash + 1) == std::string::npos) {
      ris_line(out, "SP", std::string_view(r.pages).substr(0, dash));
      ris_line(out, "EP", std::string_view(r.pages).substr(dash + 1));
    } else {
      ris_line(out, "SP", r.pages);
    }
    ris_line(out, "DO", r.doi);
    ris_line(out, "C2", r.pmid);
    ris_line(out, "SN", r.issn);
    ris_line(out, "AB", r.abstract);
    for (const std::string& k : r.keywords) ris_line(out, "KW", k);
    ris_line(out, "LA", r.language);
    ris_line(out, "UR", r.url);
    ris_line(out, "DB", r.database);
    ris_line(out, "M3", m3);
    out += "ER  - \r\n\r\n";
  }
  return out;
}

}  // namespace metasift::review
