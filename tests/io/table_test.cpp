#include "metasift/io/table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "metasift/core/error.hpp"

namespace metasift::io {
namespace {

/// The complete message parse_table throws for text, or "no error".
std::string parse_error(std::string_view text) {
  try {
    static_cast<void>(parse_table(text, "data.csv"));
  } catch (const input_error& e) {
    return e.what();
  }
  return "no error";
}

using rows_t = std::vector<std::vector<std::string>>;

// ---- delimiters --------------------------------------------------------------------------------

TEST(TableDelimiter, Comma) {
  const table t = parse_table("a,b,c\n1,2,3\n4,5,6\n", "data.csv");
  EXPECT_EQ(t.file, "data.csv");
  EXPECT_EQ(t.delimiter, ',');
  EXPECT_FALSE(t.decimal_comma);
  EXPECT_EQ(t.names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(t.rows, (rows_t{{"1", "2", "3"}, {"4", "5", "6"}}));
  EXPECT_EQ(t.row_line, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(t.header_column, (std::vector<std::size_t>{1, 3, 5}));
  EXPECT_EQ(t.header_line, (std::vector<std::size_t>{1, 1, 1}));
  EXPECT_EQ(t.cell_column[1], (std::vector<std::size_t>{1, 3, 5}));
}

TEST(TableDelimiter, SemicolonTurnsOnDecimalComma) {
  const table t = parse_table("yi;vi\n0,5;0,04\n", "data.csv");
  EXPECT_EQ(t.delimiter, ';');
  EXPECT_TRUE(t.decimal_comma);
  EXPECT_EQ(t.rows, (rows_t{{"0,5", "0,04"}}));
  EXPECT_EQ(t.number(0, 0), 0.5);
  EXPECT_EQ(t.number(0, 1), 0.04);
}

TEST(TableDelimiter, Tab) {
  const table t = parse_table("study\tyi\nSmith, 2001\t0.25\n", "data.tsv");
  EXPECT_EQ(t.delimiter, '\t');
  EXPECT_FALSE(t.decimal_comma);
  EXPECT_EQ(t.rows, (rows_t{{"Smith, 2001", "0.25"}}));
  EXPECT_EQ(t.cell_column[0], (std::vector<std::size_t>{1, 13}));
}

TEST(TableDelimiter, MostFrequentCandidateWins) {
  const table t = parse_table("a,b;c,d\n1,2;3,4\n", "data.csv");
  EXPECT_EQ(t.delimiter, ',');
  EXPECT_EQ(t.names, (std::vector<std::string>{"a", "b;c", "d"}));
}

TEST(TableDelimiter, HeaderWithoutDelimiterIsOneColumn) {
  const table t = parse_table("yi\n1\n2\n", "data.csv");
  EXPECT_EQ(t.names, (std::vector<std::string>{"yi"}));
  EXPECT_EQ(t.rows, (rows_t{{"1"}, {"2"}}));
}

TEST(TableDelimiter, DelimitersInsideQuotesAreNotCounted) {
  const table t = parse_table("\"a,b,c\";d\n1;2\n", "data.csv");
  EXPECT_EQ(t.delimiter, ';');
  EXPECT_EQ(t.names, (std::vector<std::string>{"a,b,c", "d"}));
}

TEST(TableDelimiter, TieIsBrokenByTheFirstDataLine) {
  // One ';' and one ',' in the header: the data line has the ',' as often, not the ';'.
  const table comma = parse_table("n;total,mean\n12,3.5\n", "data.csv");
  EXPECT_EQ(comma.delimiter, ',');
  EXPECT_EQ(comma.names, (std::vector<std::string>{"n;total", "mean"}));
  const table semicolon = parse_table("study;n (arm 1, arm 2)\nSmith;12\n", "data.csv");
  EXPECT_EQ(semicolon.delimiter, ';');
  EXPECT_EQ(semicolon.names, (std::vector<std::string>{"study", "n (arm 1, arm 2)"}));
}

TEST(TableDelimiter, UndecidedTiePrefersTabThenSemicolon) {
  EXPECT_EQ(parse_table("a;b,c\n1;2,3\n", "d.csv").delimiter, ';');
  EXPECT_EQ(parse_table("a\tb;c\n1\t2;3\n", "d.csv").delimiter, '\t');
  EXPECT_EQ(parse_table("a;b,c\n", "d.csv").delimiter, ';');
}

// ---- quotes ------------------------------------------------------------------------------------

TEST(TableQuotes, EmbeddedDelimitersAndDoubledQuotes) {
  const table t = parse_table("title,note\n\"Smith, J.\",\"say \"\"hi\"\"\"\n\"\",\"\"\"\"\n", "data.csv");
  EXPECT_EQ(t.rows, (rows_t{{"Smith, J.", "say \"hi\""}, {"", "\""}}));
  EXPECT_EQ(t.cell_column[0], (std::vector<std::size_t>{1, 13}));
}

TEST(TableQuotes, EmbeddedNewlinesKeepRowLinesAndCellPositions) {
  const table t = parse_table("title,n\n\"line one\nline two\",12\n\"x\",3\n", "data.csv");
  EXPECT_EQ(t.rows, (rows_t{{"line one\nline two", "12"}, {"x", "3"}}));
  EXPECT_EQ(t.row_line, (std::vector<std::size_t>{2, 4}));
  // The second cell of row 0 is on line 3, right after `line two",`.
  EXPECT_EQ(t.position(0, 0).to_string(), "data.csv:2:1");
  EXPECT_EQ(t.position(0, 1).to_string(), "data.csv:3:11");
  EXPECT_EQ(t.position(1, 1).to_string(), "data.csv:4:5");
  EXPECT_TRUE(t.cell_line[1].empty());
}

TEST(TableQuotes, LineEndsInsideQuotesBecomeNewlines) {
  const table t = parse_table("a\r\n\"x\r\ny\rz\"\r\n", "data.csv");
  EXPECT_EQ(t.rows, (rows_t{{"x\ny\nz"}}));
}

TEST(TableQuotes, QuotedHeaderNamesAreUnquotedAndTrimmed) {
  const table t = parse_table("\" study \",\"yi\"\n1,2\n", "data.csv");
  EXPECT_EQ(t.names, (std::vector<std::string>{"study", "yi"}));
}

TEST(TableQuotes, BlanksAroundQuotedFieldsAreTolerated) {
  const table t = parse_table("a,b,c\n1, \"x,y\" ,3\n", "data.csv");
  EXPECT_EQ(t.rows, (rows_t{{"1", "x,y", "3"}}));
  EXPECT_EQ(t.cell_column[0], (std::vector<std::size_t>{1, 4, 11}));
}

TEST(TableQuotes, QuoteInsideUnquotedFieldIsLiteral) {
  const table t = parse_table("item,n\n5\" disk,2\n", "data.csv");
  EXPECT_EQ(t.rows, (rows_t{{"5\" disk", "2"}}));
}

// ---- encodings and line ends -------------------------------------------------------------------

TEST(TableText, Utf8BomIsStripped) {
  const table t = parse_table("\xEF\xBB\xBFstudy,yi\n1,2\n", "data.csv");
  EXPECT_EQ(t.names.front(), "study");
  EXPECT_EQ(t.header_column.front(), 1u);
  ASSERT_TRUE(t.find("study").has_value());
}

TEST(TableText, CrlfAndLoneCrLineEnds) {
  const table crlf = parse_table("a,b\r\n1,2\r\n3,4\r\n", "data.csv");
  EXPECT_EQ(crlf.rows, (rows_t{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(crlf.row_line, (std::vector<std::size_t>{2, 3}));
  const table cr = parse_table("a,b\r1,2\r3,4", "data.csv");
  EXPECT_EQ(cr.rows, (rows_t{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(cr.row_line, (std::vector<std::size_t>{2, 3}));
}

TEST(TableText, ColumnsCountCodePointsNotBytes) {
  const table t = parse_table("name,sd1\n\xC3\x84rzte \xE2\x82\xAC,1\n", "data.csv");
  EXPECT_EQ(t.cell_column[0], (std::vector<std::size_t>{1, 9}));
  const table emoji = parse_table("a,b\n\xF0\x9F\x98\x80,1\n", "data.csv");
  EXPECT_EQ(emoji.cell_column[0], (std::vector<std::size_t>{1, 3}));
}

TEST(TableText, MissingFinalNewlineAndTrailingEmptyLines) {
  EXPECT_EQ(parse_table("a,b\n1,2", "d.csv").rows, (rows_t{{"1", "2"}}));
  EXPECT_EQ(parse_table("a,b\n1,2\n\n\n", "d.csv").rows, (rows_t{{"1", "2"}}));
  EXPECT_EQ(parse_table("a,b\r\n1,2\r\n\r\n", "d.csv").rows, (rows_t{{"1", "2"}}));
}

TEST(TableText, TrailingBlankSpreadsheetRowsAreDropped) {
  const table t = parse_table("a;b;c\n1;2;3\n;;\n ; ;\n", "data.csv");
  EXPECT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.row_line.size(), 1u);
  EXPECT_EQ(t.cell_column.size(), 1u);
  EXPECT_EQ(t.cell_line.size(), 1u);
}

TEST(TableText, BlankRowsBeforeDataAreKept) {
  const table t = parse_table("a,b\n,\n1,2\n", "data.csv");
  EXPECT_EQ(t.rows, (rows_t{{"", ""}, {"1", "2"}}));
}

TEST(TableText, HeaderCellsAreTrimmedDataCellsAreNot) {
  const table t = parse_table(" a ,  b \n 1 , 2\n", "data.csv");
  EXPECT_EQ(t.names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.rows, (rows_t{{" 1 ", " 2"}}));
}

TEST(TableText, HeaderOnlyGivesZeroRows) {
  const table t = parse_table("a,b\n", "data.csv");
  EXPECT_EQ(t.names.size(), 2u);
  EXPECT_TRUE(t.rows.empty());
  EXPECT_TRUE(t.row_line.empty());
}

TEST(TableText, TrailingDelimiterMakesAnEmptyLastCell) {
  const table t = parse_table("a,b,\n1,2,\n", "data.csv");
  EXPECT_EQ(t.names, (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(t.rows, (rows_t{{"1", "2", ""}}));
  EXPECT_EQ(t.cell_column[0][2], 5u);
}

TEST(TableText, SeveralUnnamedEmptyColumnsAreNotDuplicates) {
  const table t = parse_table("a,,\n1,,\n", "data.csv");
  EXPECT_EQ(t.names.size(), 3u);
}

// ---- lookup ------------------------------------------------------------------------------------

TEST(TableFind, IgnoresAsciiCase) {
  const table t = parse_table("Study,SD1,n\n", "data.csv");
  EXPECT_EQ(t.find("study"), 0u);
  EXPECT_EQ(t.find("sd1"), 1u);
  EXPECT_EQ(t.find("N"), 2u);
  EXPECT_EQ(t.find("sd"), std::nullopt);
  EXPECT_EQ(t.find(""), std::nullopt);
}

TEST(TableFind, LabelsAndHeaderPositions) {
  const table t = parse_table("a,,c\n1,,3\n", "data.csv");
  EXPECT_EQ(t.column_label(0), "column 'a'");
  EXPECT_EQ(t.column_label(1), "column 2");
  EXPECT_EQ(t.header_position(2).to_string(), "data.csv:1:4");
}

TEST(TableFind, PositionToleratesTablesBuiltByHand) {
  table t;
  t.file = "x.csv";
  t.names = {"a"};
  t.rows = {{"1"}};
  EXPECT_EQ(t.position(0, 0).to_string(), "x.csv");
  t.row_line = {3};
  EXPECT_EQ(t.position(0, 0).to_string(), "x.csv:3");
  EXPECT_EQ(t.number(0, 0), 1.0);
}

// ---- errors ------------------------------------------------------------------------------------

TEST(TableErrors, EmptyInput) {
  EXPECT_EQ(parse_error(""), "data.csv: file is empty");
  EXPECT_EQ(parse_error("\xEF\xBB\xBF"), "data.csv: file is empty");
  EXPECT_EQ(parse_error("\n \r\n\t\n"), "data.csv: file is empty");
}

TEST(TableErrors, EmptyFirstLine) {
  EXPECT_EQ(parse_error("\na,b\n1,2\n"), "data.csv:1:1: the first line is empty; it must hold the column names");
}

TEST(TableErrors, WrongNumberOfFields) {
  const std::string header = "a,b,c,d,e,f,g\n";
  std::string text = header;
  for (int i = 0; i < 5; ++i) text += "1,2,3,4,5,6,7\n";
  text += "1,2,3,4,5\n";
  EXPECT_EQ(parse_error(text), "data.csv:7:1: row has 5 fields, header has 7");
  EXPECT_EQ(parse_error("a,b\n1\n"), "data.csv:2:1: row has 1 field, header has 2");
  EXPECT_EQ(parse_error("a,b\nx,y,z\n"), "data.csv:2:1: row has 3 fields, header has 2");
  EXPECT_EQ(parse_error("a,b\n1,2\n\n3,4\n"), "data.csv:3:1: row is empty, header has 2");
  // The row is reported at the line where it starts, even when a quoted newline precedes the error.
  EXPECT_EQ(parse_error("a,b\n\"x\ny\"\n"), "data.csv:2:1: row has 1 field, header has 2");
}

TEST(TableErrors, FieldCountWithSemicolonAndUnquotedDecimalCommaInCommaFile) {
  // Extra fields with digits on both sides of a comma: the message suggests the likely cause.
  EXPECT_EQ(parse_error("yi,vi\n0,5,0.1\n"),
            "data.csv:2:1: row has 3 fields, header has 2 (decimal commas in a comma-separated file? Use ';' between "
            "fields or '.' in numbers)");
  // Too few fields, or extra text fields: no such hint.
  EXPECT_EQ(parse_error("yi,vi\n0.5\n"), "data.csv:2:1: row has 1 field, header has 2");
  EXPECT_EQ(parse_error("a,b\nx,y,z\n"), "data.csv:2:1: row has 3 fields, header has 2");
}

TEST(TableErrors, UnterminatedQuotePointsAtTheOpeningQuote) {
  EXPECT_EQ(parse_error("a,b\n1,\"abc\n2,3\n"), "data.csv:2:3: quoted field is never closed");
  EXPECT_EQ(parse_error("\"a,b\n"), "data.csv:1:1: quoted field is never closed");
}

TEST(TableErrors, TextAfterClosingQuote) {
  EXPECT_EQ(parse_error("a,b\n\"x\"y,2\n"),
            "data.csv:2:4: unexpected text after a closing quote (write a quote inside a quoted field as \"\")");
}

TEST(TableErrors, InvalidUtf8PointsAtTheBadByte) {
  // Latin-1 e-acute, the usual culprit.
  EXPECT_EQ(parse_error("a,b\ncaf\xE9,2\n"),
            "data.csv:2:4: invalid UTF-8 (byte 0xE9); save the file with UTF-8 encoding");
  EXPECT_EQ(parse_error("a,b\n\xC3\xA4\xFF,2\n"),
            "data.csv:2:2: invalid UTF-8 (byte 0xFF); save the file with UTF-8 encoding");
  EXPECT_EQ(parse_error("st\x80udy,b\n"), "data.csv:1:3: invalid UTF-8 (byte 0x80); save the file with UTF-8 encoding");
  EXPECT_EQ(parse_error("a,b\n1,\"x\n\xC0\xAF\"\n"),
            "data.csv:3:1: invalid UTF-8 (byte 0xC0); save the file with UTF-8 encoding");
}

TEST(TableErrors, InvalidUtf8Forms) {
  for (const std::string bad :
       {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xE2\x82", "\xC3"}) {
    EXPECT_NE(parse_error("a,b\n1," + bad).find("data.csv:2:3: invalid UTF-8"), std::string::npos)
        << "bytes of length " << bad.size();
  }
  EXPECT_EQ(parse_error("a,b\n1,\xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF\n"), "no error");
}

TEST(TableErrors, NulByte) {
  EXPECT_EQ(parse_error(std::string_view("a,b\n1,\0\n", 8)),
            "data.csv:2:3: unexpected NUL byte; this does not look like a text file");
}

TEST(TableErrors, WrongFileKinds) {
  EXPECT_EQ(parse_error(std::string_view("\xFF\xFE"
                                         "a\0,\0b\0",
                                         8)),
            "data.csv:1:1: the file is UTF-16 encoded; save it with UTF-8 encoding");
  EXPECT_EQ(parse_error(std::string_view("PK\x03\x04\x14\0\x06\0", 8)),
            "data.csv: this is a ZIP archive (an .xlsx workbook?), not a text table; export the sheet as CSV");
}

TEST(TableErrors, DuplicateNamesIgnoringCase) {
  EXPECT_EQ(parse_error("study,sd1,SD1\n"),
            "data.csv:1:11: duplicate column name 'SD1' (also column 2 'sd1'; names ignore case)");
  EXPECT_EQ(parse_error("a,b, a\n"), "data.csv:1:5: duplicate column name 'a' (also column 1)");
}

TEST(TableErrors, UnnamedColumnWithData) {
  EXPECT_EQ(parse_error("a,,c\n1,,3\n4,5,6\n"), "data.csv:1:3: column 2 has no name but holds data (first at line 3)");
  EXPECT_EQ(parse_error("a, ,c\n1,2,3\n"), "data.csv:1:3: column 2 has no name but holds data (first at line 2)");
}

TEST(TableErrors, InputErrorCarriesThePosition) {
  try {
    static_cast<void>(parse_table("a,b\n1,2\n3\n", "in.csv"));
    FAIL() << "no throw";
  } catch (const input_error& e) {
    EXPECT_EQ(e.where().file, "in.csv");
    EXPECT_EQ(e.where().line, 3u);
    EXPECT_EQ(e.where().column, 1u);
    EXPECT_EQ(e.detail(), "row has 1 field, header has 2");
  }
}

TEST(TableLarge, ManyRowsParseInOnePass) {
  std::string text = "study;yi;vi\n";
  constexpr std::size_t n = 20000;
  for (std::size_t i = 0; i < n; ++i) text += "\"S " + std::to_string(i) + "\";0," + std::to_string(i % 10) + ";1\r\n";
  const table t = parse_table(text, "big.csv");
  ASSERT_EQ(t.rows.size(), n);
  EXPECT_EQ(t.row_line.back(), n + 1);
  EXPECT_EQ(t.rows.back().front(), "S " + std::to_string(n - 1));
  EXPECT_EQ(t.number(n - 1, 1), 0.9);
}

}  // namespace
}  // namespace metasift::io
