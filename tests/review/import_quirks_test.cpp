// Vendor quirks met in real exports, each on a realistic record written here: EBSCO's several AB
// lines, a year inside a prefixed compact date, CSV author cells joined with " and ", and a
// booktitle column as the container of a proceedings paper.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metasift/review/import.hpp"

namespace {

using metasift::review::import_bytes;

TEST(ImportQuirks, EbscoSeveralAbstractLinesAreOneAbstract) {
  const std::string ris =
      "TY  - JOUR\r\nAU  - Nguyen, Thi\r\nTI  - Sleep and mood in adolescents\r\nT2  - Journal of Adolescence\r\n"
      "PY  - 2019\r\nAB  - Background: Sleep problems are common.\r\nAB  - Methods: We surveyed 1,204 pupils.\r\n"
      "AB  - Results: Short sleep predicted low mood.\r\nER  - \r\n";
  const auto res = import_bytes(ris, "ebsco.ris");
  ASSERT_EQ(res.records.size(), 1U);
  EXPECT_EQ(res.records[0].abstract,
            "Background: Sleep problems are common. Methods: We surveyed 1,204 pupils. Results: Short sleep predicted "
            "low mood.");
}

TEST(ImportQuirks, YearInsidePrefixedCompactDate) {
  const std::string ris =
      "TY  - CONF\nTI  - A trial registered online\nPY  - Start date: 20170812\nER  - \n"
      "TY  - JOUR\nTI  - Not a date\nPY  - 20171345\nER  - \n";
  const auto res = import_bytes(ris, "registry.ris");
  ASSERT_EQ(res.records.size(), 2U);
  EXPECT_EQ(res.records[0].year, 2017);
  EXPECT_EQ(res.records[1].year, 0);  // month 13: not a date, so no year (and a warning)
  EXPECT_EQ(res.warnings, std::vector<std::string>{"registry.ris:7: cannot read a year from 'PY  - 20171345'"});
}

TEST(ImportQuirks, CsvAuthorCellWithAndAndBooktitleContainer) {
  const std::string csv =
      "title,author,journal,booktitle,year\n"
      "\"Screening with active learning\",\"van de Schoot, Rens and de Bruin, Jonathan and Teijema, Jelle\",,"
      "\"Proceedings of the 2021 ACM Conference on Systematic Reviews\",2021\n"
      "\"A journal article\",\"Smith, John\",\"BMJ\",,2020\n"
      "\"Band and orchestra\",\"Anderson, Mary Ann\",\"Music Journal\",,2018\n";
  const auto res = import_bytes(csv, "jabref.csv");
  ASSERT_EQ(res.records.size(), 3U);
  EXPECT_EQ(res.records[0].authors,
            (std::vector<std::string>{"van de Schoot, Rens", "de Bruin, Jonathan", "Teijema, Jelle"}));
  EXPECT_EQ(res.records[0].journal, "Proceedings of the 2021 ACM Conference on Systematic Reviews");
  EXPECT_EQ(res.records[1].journal, "BMJ");
  EXPECT_EQ(res.records[1].authors, std::vector<std::string>{"Smith, John"});
  EXPECT_EQ(res.records[2].authors, std::vector<std::string>{"Anderson, Mary Ann"});
}

}  // namespace
