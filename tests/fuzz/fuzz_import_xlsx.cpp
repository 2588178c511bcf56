// Fuzz target: .xlsx import. An input that starts like a ZIP archive is imported as it is (so the
// fuzzer mutates real archives: headers, sizes, CRCs, compressed data). Any other input is cut at
// each "\n====\n" into the XML parts of a workbook -- the sheet, the shared strings, the workbook,
// the styles, the content types, the workbook's relationships -- which are stored, not deflated,
// in a fresh archive: the mutations then reach the XML and cell readers instead of dying at the
// CRC check. Parts the input does not give are the usual ones of a one-sheet workbook.
#include <zip.h>

#include <array>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "metasift/review/import.hpp"
#include "metasift/review/record_io.hpp"

namespace {

constexpr std::array<std::string_view, 6> part_names = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                                        "xl/workbook.xml",          "xl/styles.xml",
                                                        "[Content_Types].xml",      "xl/_rels/workbook.xml.rels"};

std::array<std::string, 6> default_parts() {
  return {
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c></row>"
      "</sheetData></worksheet>",
      "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>Title</t></si>"
      "<si><t>A title</t></si></sst>",
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
      "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
      "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><cellXfs>"
      "<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>",
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override "
      "PartName=\"/xl/workbook.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>",
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
      "Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
      "</Relationships>"};
}

/// The parts stored in a ZIP archive in memory; empty when libzip fails.
std::string store(const std::array<std::string, 6>& parts) {
  zip_error_t err;
  zip_error_init(&err);
  std::string out;
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_t* za = src != nullptr ? zip_open_from_source(src, ZIP_TRUNCATE, &err) : nullptr;
  if (za == nullptr) {
    if (src != nullptr) zip_source_free(src);
    zip_error_fini(&err);
    return out;
  }
  zip_source_keep(src);
  bool ok = true;
  for (std::size_t i = 0; i < parts.size() && ok; ++i) {
    zip_source_t* s = zip_source_buffer(za, parts[i].data(), parts[i].size(), 0);
    const zip_int64_t index = s != nullptr ? zip_file_add(za, std::string(part_names[i]).c_str(), s, 0) : -1;
    ok = index >= 0 && zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) == 0;
  }
  if (!ok || zip_close(za) != 0) {
    zip_discard(za);
  } else if (zip_source_open(src) == 0) {
    char buf[1 << 14];
    for (zip_int64_t n; (n = zip_source_read(src, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    zip_source_close(src);
  }
  zip_source_free(src);
  zip_error_fini(&err);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  const std::string_view in = fuzz::as_text(data, size);
  std::string bytes;
  if (in.starts_with("PK")) {
    bytes = std::string(in);
  } else {
    std::array<std::string, 6> parts = default_parts();
    std::size_t start = 0;
    for (std::size_t i = 0; i < parts.size() && start <= in.size(); ++i) {
      const std::size_t cut = in.find("\n====\n", start);
      parts[i] = std::string(in.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start));
      if (cut == std::string_view::npos) break;
      start = cut + 6;
    }
    bytes = store(parts);
    if (bytes.empty()) return 0;
  }
  review::import_options opt;
  opt.format = "xlsx";
  fuzz::expect_clean([&] {
    const review::import_result r = review::import_bytes(bytes, "fuzz.xlsx", opt);
    (void)review::format_records_csv(r.records);
    (void)review::format_records_ris(r.records);
  });
  return 0;
}
