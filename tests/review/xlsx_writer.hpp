#pragma once
// Writes .xlsx workbooks for the tests, from strings, with libzip: no committed binaries. The
// parts follow ECMA-376 as Excel writes them ([Content_Types].xml, _rels/.rels, xl/workbook.xml
// and its relationships, sharedStrings.xml, styles.xml, the sheet).

#include <zip.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace metasift::test {

/// The parts of a ZIP archive, name -> bytes, written into an archive in memory.
inline std::string make_zip(const std::map<std::string, std::string>& parts, bool store = false) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
  if (src == nullptr) throw std::runtime_error("zip_source_buffer_create");
  zip_t* za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
  if (za == nullptr) throw std::runtime_error("zip_open_from_source");
  zip_source_keep(src);
  for (const auto& [name, data] : parts) {
    zip_source_t* s = zip_source_buffer(za, data.data(), data.size(), 0);
    const zip_int64_t i = zip_file_add(za, name.c_str(), s, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (i < 0) throw std::runtime_error("zip_file_add");
    if (store) zip_set_file_compression(za, static_cast<zip_uint64_t>(i), ZIP_CM_STORE, 0);
  }
  if (zip_close(za) != 0) throw std::runtime_error("zip_close");
  std::string out;
  if (zip_source_open(src) != 0) throw std::runtime_error("zip_source_open");
  char buf[1 << 16];
  for (zip_int64_t n; (n = zip_source_read(src, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  zip_source_close(src);
  zip_source_free(src);
  zip_error_fini(&err);
  return out;
}

inline std::string xml_escape(const std::string& s) {
  std::string o;
  for (const char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

inline std::string column_name(std::size_t c) {
  std::string s;
  for (std::size_t n = c + 1; n > 0; n = (n - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (n - 1) % 26));
  return s;
}

struct xlsx_options {
  bool shared_strings = true;               ///< text cells as shared strings (else inline strings)
  std::vector<std::string> number_columns;  ///< header names whose cells are written as numbers
  std::string sheet_name = "Sheet1";
};

inline const char* const spreadsheet_main =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";

/// The parts of a workbook around a given sheet XML and shared-strings XML.
inline std::map<std::string, std::string> workbook_parts(const std::string& sheet, const std::string& strings,
                                                         const std::string& sheet_name = "Sheet1",
                                                         const std::string& workbook_pr = "") {
  std::map<std::string, std::string> p;
  p["[Content_Types].xml"] =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" +
      std::string(spreadsheet_main) +
      "\"/>"
      "<Override PartName=\"/xl/worksheets/sheet1.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
      "<Override PartName=\"/xl/sharedStrings.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
      "<Override PartName=\"/xl/styles.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
      "</Types>";
  p["_rels/.rels"] =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
      "Target=\"xl/workbook.xml\"/></Relationships>";
  p["xl/workbook.xml"] =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" +
      workbook_pr + "<sheets><sheet name=\"" + xml_escape(sheet_name) +
      "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
  p["xl/_rels/workbook.xml.rels"] =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet1.xml\"/>"
      "<Relationship Id=\"rId2\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
      "Target=\"sharedStrings.xml\"/>"
      "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
      "Target=\"styles.xml\"/></Relationships>";
  // Cell formats: 0 General, 1 built-in 14 (m/d/yyyy), 2 a custom "yyyy-mm-dd", 3 a custom "0.0".
  p["xl/styles.xml"] =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/>"
      "<numFmt numFmtId=\"165\" formatCode=\"0.0\"/></numFmts>"
      "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
      "<cellXfs count=\"4\"><xf numFmtId=\"0\" xfId=\"0\"/><xf numFmtId=\"14\" xfId=\"0\" applyNumberFormat=\"1\"/>"
      "<xf numFmtId=\"164\" xfId=\"0\" applyNumberFormat=\"1\"/><xf numFmtId=\"165\" xfId=\"0\"/></cellXfs>"
      "</styleSheet>";
  p["xl/sharedStrings.xml"] = strings;
  p["xl/worksheets/sheet1.xml"] = sheet;
  return p;
}

inline std::string sheet_xml(const std::string& rows_xml) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" +
         rows_xml + "</sheetData></worksheet>";
}

inline std::string strings_xml(const std::vector<std::string>& items_xml) {
  std::string s =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"" +
      std::to_string(items_xml.size()) + "\" uniqueCount=\"" + std::to_string(items_xml.size()) + "\">";
  for (const std::string& i : items_xml) s += "<si>" + i + "</si>";
  return s + "</sst>";
}

/// A workbook holding `rows` (the first is the header) on its only sheet. Empty cells are left
/// out, as Excel does.
inline std::string make_xlsx(const std::vector<std::vector<std::string>>& rows, const xlsx_options& opt = {}) {
  std::vector<std::string> shared;
  std::map<std::string, std::size_t> index;
  std::string body;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string rn = std::to_string(r + 1);
    body += "<row r=\"" + rn + "\">";
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& v = rows[r][c];
      if (v.empty()) continue;
      const std::string ref = column_name(c) + rn;
      bool number = false;
      if (r > 0 && c < rows[0].size()) {
        for (const std::string& n : opt.number_columns) number = number || n == rows[0][c];
      }
      if (number) {
        body += "<c r=\"" + ref + "\"><v>" + v + "</v></c>";
      } else if (opt.shared_strings) {
        auto [it, added] = index.emplace(v, shared.size());
        if (added) shared.push_back("<t xml:space=\"preserve\">" + xml_escape(v) + "</t>");
        body += "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(it->second) + "</v></c>";
      } else {
        body += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" + xml_escape(v) + "</t></is></c>";
      }
    }
    body += "</row>";
  }
  return make_zip(workbook_parts(sheet_xml(body), strings_xml(shared), opt.sheet_name));
}

}  // namespace metasift::test
