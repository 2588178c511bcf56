// Field normalisation shared by every importer: text, DOI, year, pages, ISSN, type names,
// vendor hints, authors and keywords.

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "import_internal.hpp"
#include "metasift/core/error.hpp"

namespace metasift::review::detail {

void parse_context::warn(std::size_t line, std::string_view message) {
  if (!sheet.empty() && line > 0) {
    warn_at(line, sheet + " row " + std::to_string(line), message);
    return;
  }
  std::string w = source_position{file, line, 0}.to_string();
  w += ": ";
  w.append(message);
  warnings.push_back(std::move(w));
  warning_lines.push_back(line);
}

void parse_context::warn_at(std::size_t line, std::string_view where, std::string_view message) {
  std::string w = file;
  w += ": ";
  w.append(where);
  w += ": ";
  w.append(message);
  warnings.push_back(std::move(w));
  warning_lines.push_back(line);
}

namespace {

constexpr std::string_view nbsp = "\xC2\xA0";

}  // namespace

std::string_view trim(std::string_view s) noexcept {
  for (;;) {
    if (!s.empty() && is_space(s.front())) {
      s.remove_prefix(1);
    } else if (s.starts_with(nbsp)) {
      s.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && is_space(s.back())) {
      s.remove_suffix(1);
    } else if (s.ends_with(nbsp)) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

std::string clean_text(std::string_view s) {
  s = trim(s);
  // Fast path: nothing to collapse.
  bool simple = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
        (c == ' ' && i + 1 < s.size() && s[i + 1] == ' ')) {
      simple = false;
      break;
    }
  }
  if (simple) return std::string(s);
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (const char c : s) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void append_text(std::string& field, std::string_view more) {
  more = trim(more);
  if (more.empty()) return;
  if (!field.empty()) field += ' ';
  field.append(more);
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool icontains(std::string_view haystack, std::string_view needle) noexcept {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string lower(std::string_view s) {
  return metasift::text::ascii_lower(s);
}

std::string name_key(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (is_alpha(c) || is_digit(c)) out += to_lower(c);
  }
  return out;
}

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c); });
}

namespace {

int hex_value(char c) noexcept {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// Position of "10.<4+ digits>/" in s at or after `from`, or npos.
std::size_t find_doi_start(std::string_view s, std::size_t from = 0) noexcept {
  for (std::size_t p = s.find("10.", from); p != std::string_view::npos; p = s.find("10.", p + 1)) {
    if (p > 0 && is_digit(s[p - 1])) continue;
    std::size_t q = p + 3;
    while (q < s.size() && (is_digit(s[q]) || s[q] == '.')) ++q;
    if (q - (p + 3) >= 4 && q < s.size() && s[q] == '/' && q + 1 < s.size() && !is_space(s[q + 1])) return p;
  }
  return std::string_view::npos;
}

std::string finish_doi(std::string_view s, std::size_t start, bool url) {
  std::size_t end = start;
  while (end < s.size() && !is_space(s[end]) && !(url && (s[end] == '&' || s[end] == '#'))) ++end;
  std::string doi = lower(s.substr(start, end - start));
  while (!doi.empty() && (doi.back() == '.' || doi.back() == ',' || doi.back() == ';')) doi.pop_back();
  return doi;
}

}  // namespace

std::string normalise_doi(std::string_view s) {
  s = trim(s);
  if (s.empty()) return {};
  const std::string decoded = s.find('%') != std::string_view::npos ? percent_decode(s) : std::string(s);
  const std::size_t start = find_doi_start(decoded);
  if (start == std::string_view::npos) return {};
  return finish_doi(decoded, start, false);
}

std::string doi_from_url(std::string_view url) {
  const std::string decoded = percent_decode(trim(url));
  const std::string low = lower(decoded);
  std::size_t from = std::string::npos;
  if (const std::size_t h = low.find("doi.org/"); h != std::string::npos) {
    from = h + 8;
  } else if (const std::size_t q = low.find("doi="); q != std::string::npos) {
    from = q + 4;
  } else if (const std::size_t d = low.find("/doi/"); d != std::string::npos) {
    from = d + 5;  // publisher links: onlinelibrary.wiley.com/doi/abs/10.1002/...
  }
  if (from == std::string::npos) return {};
  const std::size_t start = find_doi_start(decoded, from);
  if (start == std::string_view::npos) return {};
  return finish_doi(decoded, start, true);
}

int parse_year(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    if (!is_digit(s[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j - i == 4) {
      const int y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
      if (y >= 1000 && y <= 2999) return y;
    }
    i = j;
  }
  // No year standing alone: a labelled compact ISO 8601 date ("Start date: 20170812", as some
  // registries write PY) holds one when its month and day are valid. A bare eight-digit value stays
  // unread: it is a date stamp (an entry or access date), not a publication date.
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return 0;
  s = s.substr(colon + 1);
  i = 0;
  while (i < s.size()) {
    if (!is_digit(s[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j - i == 8) {
      const auto num = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t k = 0; k < n; ++k) v = v * 10 + (s[at + k] - '0');
        return v;
      };
      const int y = num(i, 4), m = num(i + 4, 2), d = num(i + 6, 2);
      if (y >= 1000 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) return y;
    }
    i = j;
  }
  return 0;
}

std::string normalise_pages(std::string_view s) {
  s = trim(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Dashes: en, em, hyphen, minus (UTF-8) and "--".
    if (s.substr(i).starts_with("\xE2\x80\x93") || s.substr(i).starts_with("\xE2\x80\x94") ||
        s.substr(i).starts_with("\xE2\x80\x90") || s.substr(i).starts_with("\xE2\x88\x92")) {
      out += '-';
      i += 2;
    } else {
      out += s[i];
    }
  }
  // Collapse "--" and the blanks around a dash.
  std::string compact;
  compact.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (c == '-') {
      while (!compact.empty() && compact.back() == ' ') compact.pop_back();
      if (compact.empty() || compact.back() != '-') compact += '-';
      while (i + 1 < out.size() && (out[i + 1] == ' ' || out[i + 1] == '-')) ++i;
    } else {
      compact += c;
    }
  }
  // Expand an abbreviated numeric end page.
  const std::size_t dash = compact.find('-');
  if (dash != std::string::npos && compact.find('-', dash + 1) == std::string::npos) {
    const std::string_view a = std::string_view(compact).substr(0, dash);
    const std::string_view b = std::string_view(compact).substr(dash + 1);
    if (all_digits(a) && all_digits(b) && b.size() < a.size()) {
      std::string full(a.substr(0, a.size() - b.size()));
      full.append(b);
      if (full > a) return std::string(a) + "-" + full;
    }
  }
  return compact;
}

std::string make_pages(std::string_view start, std::string_view end) {
  std::string a = normalise_pages(start);
  std::string b = normalise_pages(end);
  if (a.empty()) return b;
  if (b.empty() || a == b || a.find('-') != std::string::npos) return a;
  return normalise_pages(a + "-" + b);
}

std::string find_issn(std::string_view s) {
  for (std::size_t i = 0; i + 8 <= s.size(); ++i) {
    if (!is_digit(s[i]) || (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '-'))) continue;
    std::size_t p = i;
    std::string digits;
    for (; p < s.size() && digits.size() < 8; ++p) {
      const char c = s[p];
      if (is_digit(c)) {
        digits += c;
      } else if (c == '-' && digits.size() == 4) {
        continue;
      } else if ((c == 'X' || c == 'x') && digits.size() == 7) {
        digits += 'X';
      } else {
        break;
      }
    }
    if (digits.size() != 8) continue;
    if (p < s.size() && (is_digit(s[p]) || s[p] == '-' || s[p] == 'X' || s[p] == 'x')) continue;  // part of an ISBN
    return digits.substr(0, 4) + "-" + digits.substr(4);
  }
  return {};
}

namespace {

struct type_name {
  std::string_view key;  ///< name_key() of the vocabulary entry
  record_type type;
};

// name_key() forms of type names from RIS (TY), MEDLINE (PT), WoS (DT, PT), BibTeX (entry types),
// EndNote (ref-type names), Zotero (item types), Scopus/Embase (Document Type) and CSV exports.
constexpr type_name type_names[] = {
    {"jour", record_type::journal_article},
    {"jfull", record_type::journal_article},
    {"ejour", record_type::journal_article},
    {"inpr", record_type::journal_article},
    {"journalarticle", record_type::journal_article},
    {"article", record_type::journal_article},
    {"electronicarticle", record_type::journal_article},
    {"j", record_type::journal_article},
    {"datapaper", record_type::journal_article},
    {"articleinpress", record_type::journal_article},
    {"magazinearticle", record_type::journal_article},
    {"review", record_type::review},
    {"systematicreview", record_type::review},
    {"metaanalysis", record_type::review},
    {"reviewarticle", record_type::review},
    {"conf", record_type::conference_paper},
    {"cpaper", record_type::conference_paper},
    {"conferencepaper", record_type::conference_paper},
    {"conferenceproceedings", record_type::conference_paper},
    {"proceedingspaper", record_type::conference_paper},
    {"inproceedings", record_type::conference_paper},
    {"conference", record_type::conference_paper},
    {"proceedings", record_type::conference_paper},
    {"meetingabstract", record_type::conference_paper},
    {"congress", record_type::conference_paper},
    {"book", record_type::book},
    {"ebook", record_type::book},
    {"edbook", record_type::book},
    {"editedbook", record_type::book},
    {"booklet", record_type::book},
    {"b", record_type::book},
    {"whole", record_type::book},
    {"chap", record_type::chapter},
    {"echap", record_type::chapter},
    {"booksection", record_type::chapter},
    {"bookchapter", record_type::chapter},
    {"chapter", record_type::chapter},
    {"incollection", record_type::chapter},
    {"inbook", record_type::chapter},
    {"thes", record_type::thesis},
    {"thesis", record_type::thesis},
    {"phdthesis", record_type::thesis},
    {"mastersthesis", record_type::thesis},
    {"dissertation", record_type::thesis},
    {"dissertationthesis", record_type::thesis},
    {"rprt", record_type::report},
    {"report", record_type::report},
    {"techreport", record_type::report},
    {"governmentdocument", record_type::report},
    {"govdoc", record_type::report},
    {"preprint", record_type::preprint},
    {"postedcontent", record_type::preprint},
    {"gen", record_type::other},
    {"misc", record_type::other},
    {"generic", record_type::other},
    {"editorial", record_type::other},
    {"editorialmaterial", record_type::other},
    {"letter", record_type::other},
    {"note", record_type::other},
    {"erratum", record_type::other},
    {"correction", record_type::other},
    {"unpublished", record_type::other},
    {"online", record_type::other},
};

}  // namespace

record_type type_from_name(std::string_view name) {
  const std::string key = name_key(name);
  for (const type_name& t : type_names) {
    if (t.key == key) return t.type;
  }
  return record_type::other;
}

bool known_type_name(std::string_view name) {
  const std::string key = name_key(name);
  return std::any_of(std::begin(type_names), std::end(type_names), [&](const type_name& t) { return t.key == key; });
}

std::string database_from_url(std::string_view url) {
  struct hint {
    std::string_view host;
    std::string_view name;
  };
  static constexpr std::array<hint, 10> hints = {{{"scopus.com", "Scopus"},
                                                  {"embase.com", "Embase"},
                                                  {"webofscience.com", "Web of Science"},
                                                  {"webofknowledge.com", "Web of Science"},
                                                  {"isiknowledge.com", "Web of Science"},
                                                  {"ovid.com", "Ovid"},
                                                  {"ebscohost.com", "EBSCO"},
                                                  {"proquest.com", "ProQuest"},
                                                  {"pubmed.ncbi.nlm.nih.gov", "PubMed"},
                                                  {"ncbi.nlm.nih.gov/pubmed", "PubMed"}}};
  for (const hint& h : hints) {
    if (icontains(url, h.host)) return std::string(h.name);
  }
  return {};
}

std::string clean_author(std::string_view s) {
  s = trim(s);
  // WoS/Zoological Record: "Stillman, Andrew N. (andrew.stillman@uconn.edu)".
  if (s.ends_with(')')) {
    const std::size_t open = s.rfind('(');
    if (open != std::string_view::npos && s.substr(open).find('@') != std::string_view::npos)
      s = trim(s.substr(0, open));
  }
  while (!s.empty() && (s.back() == ';' || s.back() == ',')) s = trim(s.substr(0, s.size() - 1));
  return clean_text(s);
}

void split_into(std::string_view s, char sep, std::vector<std::string>& out) {
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string item = clean_text(s.substr(start, end - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
}

namespace {

/// "['a', 'b']" (a Python list written into a CSV cell) -> items; false when s is not one.
bool unpack_python_list(std::string_view s, std::vector<std::string>& items) {
  s = trim(s);
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
  s = s.substr(1, s.size() - 2);
  std::vector<std::string> found;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    const char q = s[i];
    if (q != '\'' && q != '"') return false;
    std::string item;
    ++i;
    while (i < s.size() && s[i] != q) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      item += s[i++];
    }
    if (i >= s.size()) return false;
    ++i;
    found.push_back(std::move(item));
  }
  for (std::string& f : found) {
    std::string c = clean_text(f);
    if (!c.empty()) items.push_back(std::move(c));
  }
  return true;
}

void push_keyword(std::string_view k, std::vector<std::string>& out) {
  k = trim(k);
  while (!k.empty() && k.front() == '*') k = trim(k.substr(1));
  std::string c = clean_text(k);
  if (!c.empty()) out.push_back(std::move(c));
}

}  // namespace

void add_keywords(std::string_view s, std::vector<std::string>& out, bool split_commas) {
  std::vector<std::string> list;
  if (unpack_python_list(s, list)) {
    for (const std::string& k : list) push_keyword(k, out);
    return;
  }
  const char sep = s.find(';') != std::string_view::npos ? ';' : split_commas ? ',' : '\0';
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    const char c = i < s.size() ? s[i] : sep;
    if (c == '(' || c == '[') ++depth;
    if ((c == ')' || c == ']') && depth > 0) --depth;
    if (c == sep && (depth == 0 || i == s.size())) {
      push_keyword(s.substr(start, i - start), out);
      start = i + 1;
    }
  }
}

void add_authors_cell(std::string_view s, std::vector<std::string>& out) {
  std::vector<std::string> list;
  if (unpack_python_list(s, list)) {
    for (const std::string& a : list) out.push_back(clean_author(a));
    return;
  }
  s = trim(s);
  if (s.empty()) return;
  if (s.find(';') != std::string_view::npos) {
    std::vector<std::string> parts;
    split_into(s, ';', parts);
    for (const std::string& p : parts) out.push_back(clean_author(p));
    return;
  }
  // "Smith, John and Doe, Jane" (BibTeX style, as some tools write CSV cells): split on " and ".
  if (const std::size_t and_at = s.find(" and ");
      and_at != std::string_view::npos && s.find(',') != std::string_view::npos) {
    std::size_t start = 0;
    for (std::size_t p = and_at;; p = s.find(" and ", start)) {
      const std::string name =
          clean_author(s.substr(start, p == std::string_view::npos ? s.size() - start : p - start));
      if (!name.empty()) out.push_back(name);
      if (p == std::string_view::npos) break;
      start = p + 5;
    }
    return;
  }
  // "Liu R., Adler D.G.": comma-separated "Family Initials" names. "Rotter, Carina" is one name:
  // its first part has no space.
  std::vector<std::string> parts;
  split_into(s, ',', parts);
  const bool list_of_names = parts.size() >= 2 && std::all_of(parts.begin(), parts.end(), [](const std::string& p) {
                               return p.find(' ') != std::string::npos;
                             });
  if (list_of_names) {
    for (const std::string& p : parts) out.push_back(clean_author(p));
  } else {
    out.push_back(clean_author(s));
  }
}

}  // namespace metasift::review::detail
