#pragma once
// Text normalisation shared by deduplication and the query engine: case folding, diacritic
// folding, word tokenisation, and the canonical forms of DOIs, pages, volumes, journals, authors
// and languages. Everything here is pure and deterministic; nothing allocates beyond its result.
//
// Folding rules (docs/review.md, "Normalisation"):
//   - ASCII letters are lower-cased; Latin-1, Latin Extended-A, the pinyin tone letters of
//     Latin Extended-B and Vietnamese letters are folded to their ASCII base (é → e, ß → ss,
//     æ → ae, ø → o, ł → l, ǚ → u); combining marks are dropped.
//   - Greek letters become their names (α → alpha, β → beta, µ → mu), so "TNF-α" equals "TNF-alpha".
//   - Typographic dashes, quotes and spaces become their ASCII forms; superscript digits become digits.
//   - Cyrillic capitals are lower-cased; every other character (CJK included) is kept as is.
//   - Invalid UTF-8 bytes are read as Latin-1, so folding never fails.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/review/record.hpp"

namespace metasift::review {

/// Case- and diacritic-folded copy of UTF-8 text; punctuation is kept (dashes and quotes in ASCII).
[[nodiscard]] std::string fold_text(std::string_view text);

/// One word of folded text with its 0-based word index.
struct word_token {
  std::string text;
  std::uint32_t index = 0;
};

/// Splits text into folded words: runs of ASCII letters/digits and non-ASCII letters. Every
/// punctuation character separates words (so "COVID-19" is "covid" "19"); each CJK ideograph or
/// kana is a word of its own (so a Chinese term matches inside a longer run of characters).
[[nodiscard]] std::vector<std::string> fold_words(std::string_view text);

/// fold_words, except that the ASCII characters in `word_chars` (e.g. the wildcards "*?$")
/// count as word characters.
[[nodiscard]] std::vector<std::string> fold_words(std::string_view text, std::string_view word_chars);

/// fold_words joined by single spaces.
[[nodiscard]] std::string normalize_words(std::string_view text);

/// Removes markup that databases leave in titles and abstracts: HTML/XML tags (<sup>, <inf>,
/// <i>, ...) keeping their content, and the entities &amp; &lt; &gt; &quot; &apos; &#NNN; &#xHH;.
[[nodiscard]] std::string strip_markup(std::string_view text);

/// Title for comparison: markup stripped, a trailing language note ("[Article in Chinese]",
/// "[Russian]") removed, then normalize_words, then number words written as digits ("three year"
/// -> "3 year", "twenty first" -> "21st").
[[nodiscard]] std::string normalize_title(std::string_view title);

/// Abstract for comparison: markup and a trailing copyright statement (from the last "©" or
/// "Copyright" in the final 300 characters) removed, normalize_words, cut to max_chars.
[[nodiscard]] std::string normalize_abstract(std::string_view abstract, std::size_t max_chars = 500);

/// Canonical DOI: lower case, without "https://doi.org/", "http://dx.doi.org/", "doi:", "[doi]",
/// URL escapes (%2F %28 %29 ...), whitespace or trailing punctuation; the first of several. Empty
/// when the text holds no "10.<registrant>/<suffix>" DOI.
[[nodiscard]] std::string canonical_doi(std::string_view doi);

/// First and last page of a page field. "221-8" → {"221","228"}; "221--228" and "221–228" →
/// {"221","228"}; "e12345" → {"e12345",""}; "pp. 5-7" → {"5","7"}. Folded, letters kept.
struct page_range {
  std::string first;
  std::string last;
};
[[nodiscard]] page_range normalize_pages(std::string_view pages);

/// Leading number of a volume or issue ("38 (Supplement 1)" → "38"); empty (unknown) for empty
/// input, "NA", a value without digits, or a truncated value such as "1)".
[[nodiscard]] std::string normalize_volume(std::string_view volume);

/// Journal name for comparison: folded words without "the", with "&" read as "and" and any
/// ". Conference: ..." or " : proceedings ..." tail after the title cut.
[[nodiscard]] std::string normalize_journal(std::string_view journal);

/// Similarity of two normalised journal names in [0, 1]: the larger of Jaro-Winkler and an
/// abbreviation match, where every word of the shorter name (ignoring of/and/in/for/on/de/la/
/// der/und/et) is a prefix of the corresponding word of the longer, in order ("curr opin
/// lipidol" ~ "current opinion in lipidology" = 1). Empty input gives 0.
[[nodiscard]] double journal_similarity(std::string_view a, std::string_view b);

/// One author reduced to "family initial": "Li, Wei" → "li w"; "Li W." → "li w"; "Wei Li" →
/// "li w"; "Müller-Schmidt, H.-J." → "muller schmidt h"; "Anonymous" / "[Anonymous]" → "".
[[nodiscard]] std::string normalize_author(std::string_view author);

/// The first author's family name, folded, letters and digits only ("mullerschmidt"); "" if none.
[[nodiscard]] std::string first_author_family(const std::vector<std::string>& authors);

/// The author list read with family and given names swapped, for the authors whose given name is
/// written out ("Zhang Wei" / "Wei, Zhang"); empty when no author has one (nothing to swap).
[[nodiscard]] std::string normalize_authors_swapped(const std::vector<std::string>& authors,
                                                    std::size_t max_authors = 10);
/// The first max_authors authors, each normalize_author'd, joined by "; ".
[[nodiscard]] std::string normalize_authors(const std::vector<std::string>& authors, std::size_t max_authors = 10);

/// ISO 639-1 code for a language name or code ("English", "eng", "en" → "en"; "Chinese", "chi",
/// "zho" → "zh"), covering the languages databases export most; the folded input otherwise.
[[nodiscard]] std::string canonical_language(std::string_view language);

/// Stable 64-bit FNV-1a hash (blocking keys; identical on every platform).
[[nodiscard]] std::uint64_t fnv1a(std::string_view text) noexcept;

}  // namespace metasift::review
