// BibTeX (and the biblatex fields reference managers add).
//
// Blocks start with "@type{" or "@type(" at the start of a line; text between blocks is a comment.
// Each block is parsed on its own, so a broken entry (an unbalanced brace) costs only that entry.
// Values are {braced} (nesting), "quoted", numbers or @string macros, joined with '#'. LaTeX in
// values is turned into UTF-8: accents in every spelling ({\'a}, \'{a}, \'a, \v{c}, {\"\i}),
// special letters (\ss, \o, \ae, \l ...), escaped characters, dashes and quotes; other commands
// are dropped and their arguments kept. Authors are split on "and" outside braces and written
// "Family, Given".

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "import_internal.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/limits.hpp"

namespace metasift::review::detail {
namespace {

// ---------------------------------------------------------------------------------------------
// LaTeX to UTF-8

/// For each accent command, the letters it composes with: an ASCII letter followed by its
/// precomposed UTF-8 form.
struct accent_table {
  char command;
  unsigned combining;  ///< combining mark used when no precomposed letter exists
  std::string_view pairs;
};

constexpr accent_table accents[] = {
    {'\'', 0x0301,
     "a\u00e1e\u00e9i\u00edo\u00f3u\u00fay\u00fdA\u00c1E\u00c9I\u00cdO\u00d3U\u00daY\u00ddc\u0107C\u0106n\u0144N\u0143s"
     "\u015bS\u015az\u017aZ\u0179l\u013aL\u0139r\u0155R\u0154g\u01f5G\u01f4"},
    {'`', 0x0300, "a\u00e0e\u00e8i\u00eco\u00f2u\u00f9A\u00c0E\u00c8I\u00ccO\u00d2U\u00d9n\u01f9N\u01f8"},
    {'^', 0x0302,
     "a\u00e2e\u00eai\u00eeo\u00f4u\u00fbA\u00c2E\u00caI\u00ceO\u00d4U\u00dbc\u0109C\u0108g\u011dG\u011ch\u0125H\u0124j"
     "\u0135J\u0134s\u015dS\u015cw\u0175W\u0174y\u0177Y\u0176"},
    {'"', 0x0308, "a\u00e4e\u00ebi\u00efo\u00f6u\u00fcy\u00ffA\u00c4E\u00cbI\u00cfO\u00d6U\u00dcY\u0178"},
    {'~', 0x0303, "a\u00e3o\u00f5n\u00f1A\u00c3O\u00d5N\u00d1i\u0129u\u0169I\u0128U\u0168"},
    {'=', 0x0304, "a\u0101e\u0113i\u012bo\u014du\u016bA\u0100E\u0112I\u012aO\u014cU\u016a"},
    {'.', 0x0307, "z\u017cZ\u017be\u0117E\u0116c\u010bC\u010ag\u0121G\u0120I\u0130"},
    {'u', 0x0306, "a\u0103A\u0102g\u011fG\u011eu\u016dU\u016ce\u0115E\u0114i\u012dI\u012co\u014fO\u014e"},
    {'v', 0x030C,
     "c\u010dC\u010cs\u0161S\u0160z\u017eZ\u017dr\u0159R\u0158e\u011bE\u011an\u0148N\u0147d\u010fD\u010et\u0165T\u0164l"
     "\u013eL\u013d"},
    {'H', 0x030B, "o\u0151O\u0150u\u0171U\u0170"},
    {'c', 0x0327,
     "c\u00e7C\u00c7s\u015fS\u015et\u0163T\u0162g\u0123G\u0122k\u0137K\u0136l\u013cL\u013bn\u0146N\u0145r\u0157R"
     "\u0156"},
    {'k', 0x0328, "a\u0105A\u0104e\u0119E\u0118i\u012fI\u012eu\u0173U\u0172"},
    {'r', 0x030A, "a\u00e5A\u00c5u\u016fU\u016e"},
    {'d', 0x0323, ""},
    {'b', 0x0331, ""},
    {'t', 0x0361, ""},
};

const accent_table* find_accent(char c) {
  for (const accent_table& a : accents) {
    if (a.command == c) return &a;
  }
  return nullptr;
}

std::size_t utf8_len(char lead) {
  const auto b = static_cast<unsigned char>(lead);
  if (b < 0x80) return 1;
  if (b >= 0xF0) return 4;
  if (b >= 0xE0) return 3;
  if (b >= 0xC0) return 2;
  return 1;
}

void compose(const accent_table& a, std::string_view base, std::string& out) {
  if (base.size() == 1) {
    const std::string_view p = a.pairs;
    for (std::size_t i = 0; i < p.size();) {
      const char letter = p[i];
      const std::size_t n = utf8_len(p[i + 1]);
      if (letter == base[0]) {
        out.append(p.substr(i + 1, n));
        return;
      }
      i += 1 + n;
    }
  }
  if (base.empty()) return;
  out.append(base);
  append_utf8(out, a.combining);
}

struct symbol {
  std::string_view name;
  std::string_view text;
};

constexpr symbol symbols[] = {
    {"ss", "\u00df"},
    {"o", "\u00f8"},
    {"O", "\u00d8"},
    {"aa", "\u00e5"},
    {"AA", "\u00c5"},
    {"ae", "\u00e6"},
    {"AE", "\u00c6"},
    {"oe", "\u0153"},
    {"OE", "\u0152"},
    {"l", "\u0142"},
    {"L", "\u0141"},
    {"i", "\u0131"},
    {"j", "\u0237"},
    {"dh", "\u00f0"},
    {"DH", "\u00d0"},
    {"th", "\u00fe"},
    {"TH", "\u00de"},
    {"ng", "\u014b"},
    {"NG", "\u014a"},
    {"textgreater", ">"},
    {"textless", "<"},
    {"textasciitilde", "~"},
    {"textasciicircum", "^"},
    {"textbackslash", "\\"},
    {"textbar", "|"},
    {"textunderscore", "_"},
    {"textendash", "\u2013"},
    {"textemdash", "\u2014"},
    {"textquoteright", "\u2019"},
    {"textquoteleft", "\u2018"},
    {"textquotedblleft", "\u201c"},
    {"textquotedblright", "\u201d"},
    {"textregistered", "\u00ae"},
    {"texttrademark", "\u2122"},
    {"textcopyright", "\u00a9"},
    {"copyright", "\u00a9"},
    {"textdegree", "\u00b0"},
    {"textbullet", "\u2022"},
    {"textperiodcentered", "\u00b7"},
    {"textmu", "\u00b5"},
    {"textpm", "\u00b1"},
    {"textsection", "\u00a7"},
    {"S", "\u00a7"},
    {"P", "\u00b6"},
    {"dag", "\u2020"},
    {"ddag", "\u2021"},
    {"ldots", "\u2026"},
    {"dots", "\u2026"},
    {"textellipsis", "\u2026"},
    {"pounds", "\u00a3"},
    {"euro", "\u20ac"},
    {"texteuro", "\u20ac"},
    {"pm", "\u00b1"},
    {"times", "\u00d7"},
    {"div", "\u00f7"},
    {"leq", "\u2264"},
    {"le", "\u2264"},
    {"geq", "\u2265"},
    {"ge", "\u2265"},
    {"neq", "\u2260"},
    {"approx", "\u2248"},
    {"sim", "\u223c"},
    {"infty", "\u221e"},
    {"degree", "\u00b0"},
    {"circ", "\u00b0"},
    {"to", "\u2192"},
    {"rightarrow", "\u2192"},
    {"leftarrow", "\u2190"},
    {"alpha", "\u03b1"},
    {"beta", "\u03b2"},
    {"gamma", "\u03b3"},
    {"delta", "\u03b4"},
    {"epsilon", "\u03b5"},
    {"varepsilon", "\u03b5"},
    {"zeta", "\u03b6"},
    {"eta", "\u03b7"},
    {"theta", "\u03b8"},
    {"iota", "\u03b9"},
    {"kappa", "\u03ba"},
    {"lambda", "\u03bb"},
    {"mu", "\u03bc"},
    {"nu", "\u03bd"},
    {"xi", "\u03be"},
    {"pi", "\u03c0"},
    {"rho", "\u03c1"},
    {"sigma", "\u03c3"},
    {"tau", "\u03c4"},
    {"upsilon", "\u03c5"},
    {"phi", "\u03c6"},
    {"varphi", "\u03c6"},
    {"chi", "\u03c7"},
    {"psi", "\u03c8"},
    {"omega", "\u03c9"},
    {"Gamma", "\u0393"},
    {"Delta", "\u0394"},
    {"Theta", "\u0398"},
    {"Lambda", "\u039b"},
    {"Xi", "\u039e"},
    {"Pi", "\u03a0"},
    {"Sigma", "\u03a3"},
    {"Upsilon", "\u03a5"},
    {"Phi", "\u03a6"},
    {"Psi", "\u03a8"},
    {"Omega", "\u03a9"},
    {"textalpha", "\u03b1"},
    {"textbeta", "\u03b2"},
    {"textgamma", "\u03b3"},
    {"textmu", "\u03bc"},
    {"textkappa", "\u03ba"},
    {"LaTeX", "LaTeX"},
    {"TeX", "TeX"},
    {"&", "&"},
};

const symbol* find_symbol(std::string_view name) {
  for (const symbol& s : symbols) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

/// Reads the argument of an accent command starting at s[j]: "{a}", "{\i}", "a", "\i", "{}".
/// Returns the base letters and moves j past the argument.
std::string accent_argument(std::string_view s, std::size_t& j, bool letter_command) {
  if (letter_command) {
    while (j < s.size() && s[j] == ' ') ++j;
  }
  if (j >= s.size()) return {};
  std::string_view arg;
  if (s[j] == '{') {
    int depth = 1;
    const std::size_t start = j + 1;
    std::size_t k = start;
    for (; k < s.size() && depth > 0; ++k) {
      if (s[k] == '{') ++depth;
      if (s[k] == '}') --depth;
    }
    arg = s.substr(start, (depth == 0 ? k - 1 : k) - start);
    j = k;
  } else if (s[j] == '\\' && j + 1 < s.size() && (s[j + 1] == 'i' || s[j + 1] == 'j') &&
             (j + 2 >= s.size() || !is_alpha(s[j + 2]))) {
    arg = s.substr(j, 2);
    j += 2;
  } else {
    const std::size_t n = utf8_len(s[j]);
    arg = s.substr(j, n);
    j += n;
  }
  std::string base;
  for (std::size_t k = 0; k < arg.size(); ++k) {
    const char c = arg[k];
    if (c == '{' || c == '}' || c == ' ') continue;
    if (c == '\\' && k + 1 < arg.size() && (arg[k + 1] == 'i' || arg[k + 1] == 'j')) {
      base += arg[k + 1];  // dotless i/j take the accent as plain i/j
      ++k;
      continue;
    }
    base += c;
  }
  return base;
}

bool is_letter_accent(char c) noexcept {
  return c == 'u' || c == 'v' || c == 'H' || c == 'c' || c == 'k' || c == 'r' || c == 'd' || c == 'b' || c == 't';
}

}  // namespace

/// LaTeX markup of a BibTeX value to plain UTF-8 text (whitespace collapsed).
std::string latex_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size()) break;
      const char n = s[i + 1];
      if (const accent_table* a = find_accent(n); a != nullptr && !is_alpha(n)) {
        std::size_t j = i + 2;
        compose(*a, accent_argument(s, j, false), out);
        i = j;
        continue;
      }
      if (is_alpha(n)) {
        std::size_t j = i + 1;
        while (j < s.size() && is_alpha(s[j])) ++j;
        const std::string_view name = s.substr(i + 1, j - i - 1);
        if (name.size() == 1 && is_letter_accent(name[0]) && j < s.size() && (s[j] == '{' || s[j] == ' ')) {
          std::size_t k = j;
          compose(*find_accent(name[0]), accent_argument(s, k, true), out);
          i = k;
          continue;
        }
        if (const symbol* sym = find_symbol(name); sym != nullptr) out.append(sym->text);
        // A control word swallows the blanks after it; unknown commands vanish and their braced
        // argument, if any, stays as text.
        while (j < s.size() && s[j] == ' ') ++j;
        i = j;
        continue;
      }
      if (n == '\\' || n == ' ' || n == ',' || n == ';' || n == ':' || n == '!') {
        out += ' ';
      } else if (n == '-' || n == '/' || n == '@') {
        // discretionary hyphen, italic correction, spacing hint: nothing
      } else {
        out += n;  // \& \% \$ \# \_ \{ \} and anything else escaped
      }
      i += 2;
      continue;
    }
    if (c == '{' || c == '}' || c == '$') {
      ++i;
      continue;
    }
    if (c == '~') {
      out += ' ';
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      if (i + 2 < s.size() && s[i + 2] == '-') {
        out += "\u2014";
        i += 3;
      } else {
        out += "\u2013";
        i += 2;
      }
      continue;
    }
    if (c == '`' && i + 1 < s.size() && s[i + 1] == '`') {
      out += "\u201c";
      i += 2;
      continue;
    }
    if (c == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
      out += "\u201d";
      i += 2;
      continue;
    }
    out += c;
    ++i;
  }
  return clean_text(out);
}

namespace {

// ---------------------------------------------------------------------------------------------
// Names

std::vector<std::string_view> split_depth0(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '{') ++depth;
    if (s[i] == '}' && depth > 0) --depth;
    if (s[i] == sep && depth == 0) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

/// Splits an author field on the word "and" outside braces.
std::vector<std::string_view> split_names(std::string_view s) {
  std::vector<std::string_view> names;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && depth > 0) --depth;
    if (depth == 0 && is_space(c) && i + 4 < s.size() && s.substr(i + 1, 3) == "and" && is_space(s[i + 4])) {
      names.push_back(s.substr(start, i - start));
      i += 4;
      start = i + 1;
    }
  }
  names.push_back(s.substr(start));
  return names;
}

/// One BibTeX name as "Family, Given" ("von Last, Jr, First" -> "von Last, First, Jr").
std::string format_name(std::string_view raw) {
  raw = trim(raw);
  if (raw.empty() || raw == "others") return {};
  const std::vector<std::string_view> parts = split_depth0(raw, ',');
  if (parts.size() >= 2) {
    std::string out = latex_to_utf8(parts[0]);
    const std::string given = latex_to_utf8(parts.back());
    if (!given.empty()) out += ", " + given;
    if (parts.size() >= 3) {
      const std::string jr = latex_to_utf8(parts[1]);
      if (!jr.empty()) out += ", " + jr;
    }
    return out;
  }
  // "First von Last": tokens at brace depth 0.
  std::vector<std::string_view> tokens;
  {
    int depth = 0;
    std::size_t start = std::string_view::npos;
    for (std::size_t i = 0; i <= raw.size(); ++i) {
      const char c = i < raw.size() ? raw[i] : ' ';
      if (c == '{') ++depth;
      if (c == '}' && depth > 0) --depth;
      if (is_space(c) && depth == 0) {
        if (start != std::string_view::npos) tokens.push_back(raw.substr(start, i - start));
        start = std::string_view::npos;
      } else if (start == std::string_view::npos) {
        start = i;
      }
    }
  }
  if (tokens.size() <= 1) return latex_to_utf8(raw);
  std::size_t family = tokens.size() - 1;
  for (std::size_t k = 1; k + 1 < tokens.size(); ++k) {
    if (is_lower(tokens[k].front())) {
      family = k;
      break;
    }
  }
  // Tokens are views into raw, so a run of them is the stretch of raw from the first to the last.
  const auto join = [&](std::size_t from, std::size_t to) {
    const auto begin = static_cast<std::size_t>(tokens[from].data() - raw.data());
    const auto stop = static_cast<std::size_t>(tokens[to - 1].data() - raw.data()) + tokens[to - 1].size();
    return raw.substr(begin, stop - begin);
  };
  return latex_to_utf8(join(family, tokens.size())) + ", " + latex_to_utf8(join(0, family));
}

// ---------------------------------------------------------------------------------------------
// Blocks and entries

struct bib_entry {
  std::string type;
  std::string key;
  std::size_t line = 0;
  std::vector<std::pair<std::string, std::string>> fields;  ///< lower-case name, raw value

  [[nodiscard]] const std::string* raw(std::string_view name) const {
    for (const auto& [n, v] : fields) {
      if (n == name) return &v;
    }
    return nullptr;
  }
  [[nodiscard]] std::string get(std::string_view name) const {
    const std::string* v = raw(name);
    return v != nullptr ? latex_to_utf8(*v) : std::string();
  }
};

class bibtex_parser {
 public:
  bibtex_parser(std::string_view text, parse_context& ctx) : text_(text), ctx_(ctx) {
    static constexpr std::string_view months[] = {"January",   "February", "March",    "April",
                                                  "May",       "June",     "July",     "August",
                                                  "September", "October",  "November", "December"};
    static constexpr std::string_view keys[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                "jul", "aug", "sep", "oct", "nov", "dec"};
    for (std::size_t m = 0; m < 12; ++m) macros_[std::string(keys[m])] = std::string(months[m]);
  }

  void run() {
    // Block starts: '@' as the first non-blank character of a line, followed by a name and '{' or '('.
    std::vector<std::size_t> starts;
    std::size_t line_start = 0;
    while (line_start < text_.size()) {
      std::size_t p = line_start;
      while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
      if (p < text_.size() && text_[p] == '@' && starts_block(p)) starts.push_back(p);
      const std::size_t nl = text_.find('\n', line_start);
      if (nl == std::string_view::npos) break;
      line_start = nl + 1;
    }
    for (std::size_t b = 0; b < starts.size(); ++b) {
      const std::size_t end = b + 1 < starts.size() ? starts[b + 1] : text_.size();
      std::size_t p = starts[b];
      // Several entries may share a region when they share a line.
      for (;;) {
        p = parse_block(p, end);
        while (p < end && !(text_[p] == '@' && starts_block(p))) ++p;
        if (p >= end) break;
      }
    }
  }

 private:
  [[nodiscard]] bool starts_block(std::size_t p) const {
    std::size_t q = p + 1;
    while (q < text_.size() && (is_alpha(text_[q]) || is_digit(text_[q]) || text_[q] == '_' || text_[q] == '-')) ++q;
    if (q == p + 1) return false;
    while (q < text_.size() && is_space(text_[q])) ++q;
    return q < text_.size() && (text_[q] == '{' || text_[q] == '(');
  }

  [[noreturn]] void fail_at(std::size_t pos, const std::string& message) {
    const std::size_t line = line_at(pos);
    const std::size_t nl = pos == 0 ? std::string_view::npos : text_.rfind('\n', pos - 1);
    const std::size_t col = nl == std::string_view::npos ? pos + 1 : pos - nl;
    fail_input(source_position{ctx_.file, line, col}, "", message);
  }

  [[nodiscard]] std::size_t line_at(std::size_t pos) {
    if (pos < line_pos_) {
      line_pos_ = 0;
      line_no_ = 1;
    }
    for (; line_pos_ < pos && line_pos_ < text_.size(); ++line_pos_) {
      if (text_[line_pos_] == '\n') ++line_no_;
    }
    return line_no_;
  }

  void skip_space(std::size_t& p, std::size_t end) const {
    while (p < end) {
      if (is_space(text_[p])) {
        ++p;
      } else if (text_.substr(p).starts_with("\xC2\xA0")) {
        p += 2;
      } else {
        break;
      }
    }
  }

  /// Parses the block at p ('@'), returns the position after it.
  std::size_t parse_block(std::size_t p, std::size_t end) {
    const std::size_t at = p;
    ++p;
    const std::size_t name_start = p;
    while (p < end && (is_alpha(text_[p]) || is_digit(text_[p]) || text_[p] == '_' || text_[p] == '-')) ++p;
    const std::string type = lower(text_.substr(name_start, p - name_start));
    skip_space(p, end);
    if (p >= end || (text_[p] != '{' && text_[p] != '(')) return p;
    const char close = text_[p] == '{' ? '}' : ')';
    ++p;
    if (type == "comment" || type == "preamble") return skip_balanced(p, end, close);

    bib_entry e;
    e.type = type;
    e.line = line_at(at);
    if (type != "string") {
      // The key runs to the first ',' (or the closing delimiter); a key with '=' is a missing key.
      skip_space(p, end);
      std::size_t k = p;
      while (k < end && text_[k] != ',' && text_[k] != close && text_[k] != '=' && text_[k] != '\n') ++k;
      if (k < end && text_[k] == '=') {
        ctx_.warn(e.line, "@" + type + " entry has no key");
      } else {
        e.key = std::string(trim(text_.substr(p, k - p)));
        p = k;
        if (p < end && text_[p] == ',') ++p;
      }
    }
    bool closed = false;
    while (p < end) {
      skip_space(p, end);
      if (p >= end) break;
      if (text_[p] == ',') {
        ++p;
        continue;
      }
      if (text_[p] == close) {
        ++p;
        closed = true;
        break;
      }
      const std::size_t field_start = p;
      while (p < end && text_[p] != '=' && text_[p] != ',' && text_[p] != close && !is_space(text_[p])) ++p;
      std::string name = lower(text_.substr(field_start, p - field_start));
      // Scopus writes some field names with a no-break space ("funding_text\u00a01"): keep as is.
      skip_space(p, end);
      if (p >= end || text_[p] != '=') {
        ctx_.warn(line_at(field_start), "expected '=' after field name '" + name + "' in @" + type + "{" + e.key + "}");
        while (p < end && text_[p] != ',' && text_[p] != close && text_[p] != '\n') ++p;
        continue;
      }
      ++p;
      std::string value;
      if (!parse_value(p, end, close, value)) {
        ctx_.warn(line_at(field_start),
                  "value of field '" + name + "' is not closed in @" + type + "{" + e.key + "}; the field is skipped");
        p = end;
        break;
      }
      if (type == "string") {
        macros_[name] = value;
      } else {
        e.fields.emplace_back(std::move(name), std::move(value));
      }
    }
    if (type == "string") return p;
    if (!closed) ctx_.warn(e.line, "@" + type + "{" + e.key + "} is not closed with '" + std::string(1, close) + "'");
    if (e.key.empty() && e.fields.empty()) {
      ctx_.warn(e.line, "@" + type + " entry could not be read; nothing kept");
      return p;
    }
    emit(e);
    return p;
  }

  std::size_t skip_balanced(std::size_t p, std::size_t end, char close) const {
    int depth = 0;
    for (; p < end; ++p) {
      const char c = text_[p];
      if (c == '{') ++depth;
      if (c == '}' && depth > 0) {
        --depth;
        continue;
      }
      if (c == close && depth == 0) return p + 1;
    }
    return p;
  }

  /// value = part ('#' part)*; part = {braced} | "quoted" | number | macro. False when a braced
  /// or quoted part is not closed before `end`.
  bool parse_value(std::size_t& p, std::size_t end, char close, std::string& value) {
    for (;;) {
      skip_space(p, end);
      if (p >= end) return false;
      const char c = text_[p];
      if (c == '{' || c == '"') {
        const bool braced = c == '{';
        int depth = 0;
        const std::size_t start = ++p;
        bool done = false;
        for (; p < end; ++p) {
          const char d = text_[p];
          if (d == '\\' && p + 1 < end) {
            ++p;  // \{ \} \" do not count
            continue;
          }
          if (d == '{') {
            ++depth;
          } else if (d == '}') {
            if (depth == 0 && braced) {
              done = true;
              break;
            }
            if (depth > 0) --depth;
          } else if (d == '"' && !braced && depth == 0) {
            done = true;
            break;
          }
        }
        if (!done) return false;
        value.append(text_.substr(start, p - start));
        ++p;
      } else if (is_digit(c)) {
        const std::size_t start = p;
        while (p < end && is_digit(text_[p])) ++p;
        value.append(text_.substr(start, p - start));
      } else {
        const std::size_t start = p;
        while (p < end && text_[p] != ',' && text_[p] != close && text_[p] != '#' && !is_space(text_[p])) ++p;
        const std::string name = lower(text_.substr(start, p - start));
        if (name.empty()) return true;  // "field = ," : empty value
        if (const auto it = macros_.find(name); it != macros_.end()) {
          // Macros may be defined from each other, so each doubling doubles the text: bound both
          // one value and the sum of all expansions of the file.
          if (value.size() + it->second.size() > limits::bibtex_max_string_bytes) {
            fail_at(start, "expanding @string macro '" + name +
                               "' makes a value longer than the limit "
                               "bibtex_max_string_bytes (" +
                               std::to_string(limits::bibtex_max_string_bytes) + " bytes)");
          }
          expanded_ += it->second.size();
          if (expanded_ > limits::bibtex_max_total_expansion) {
            fail_at(start, "@string macros expand to more than the limit bibtex_max_total_expansion (" +
                               std::to_string(limits::bibtex_max_total_expansion) + " bytes) in this file");
          }
          value += it->second;
        } else {
          ctx_.warn(line_at(start), "undefined @string macro '" + name + "'; its name is used as the value");
          value += name;
        }
      }
      skip_space(p, end);
      if (p < end && text_[p] == '#') {
        ++p;
        continue;
      }
      return true;
    }
  }

  void emit(const bib_entry& e) {
    record& r = ctx_.records.emplace_back();
    r.source_line = e.line;
    r.source_id = e.key;

    r.type = type_from_name(e.type);
    for (const char* f : {"document_type", "type", "pubstate"}) {
      const std::string dt = e.get(f);
      if (dt.empty() || !known_type_name(dt)) continue;
      const record_type t = type_from_name(dt);
      if (t == record_type::review ||
          ((r.type == record_type::journal_article || r.type == record_type::other) && t != record_type::other)) {
        r.type = t;
      }
      break;
    }
    if (r.type == record_type::other) {
      const std::string where = e.get("archiveprefix") + " " + e.get("eprinttype") + " " + e.get("journal") + " " +
                                e.get("howpublished") + " " + e.get("publisher");
      for (const char* server :
           {"arxiv", "biorxiv", "medrxiv", "ssrn", "research square", "preprint", "psyarxiv", "osf preprints"}) {
        if (icontains(where, server)) {
          r.type = record_type::preprint;
          break;
        }
      }
    }

    r.title = e.get("title");
    if (r.title.empty() && (r.type == record_type::book || r.type == record_type::conference_paper)) {
      r.title = e.get("booktitle");
    }
    if (const std::string* a = e.raw("author"); a != nullptr) {
      for (const std::string_view n : split_names(*a)) {
        std::string name = format_name(n);
        if (!name.empty()) r.authors.push_back(std::move(name));
      }
    }

    const std::string year = e.get("year");
    r.year = parse_year(year);
    if (r.year == 0) r.year = parse_year(e.get("date"));
    if (r.year == 0 && !year.empty()) ctx_.warn(e.line, "cannot read a year from 'year = " + year + "'");

    r.journal = e.get("journal");
    if (r.journal.empty()) r.journal = e.get("journaltitle");
    if (r.journal.empty() && r.type != record_type::book) r.journal = e.get("booktitle");
    r.volume = e.get("volume");
    r.issue = e.get("number");
    if (r.issue.empty()) r.issue = e.get("issue");
    r.pages = normalise_pages(e.get("pages"));

    const std::string doi = e.get("doi");
    if (!doi.empty()) {
      r.doi = normalise_doi(doi);
      if (r.doi.empty()) ctx_.warn(e.line, "not a DOI: '" + doi + "' in @" + e.type + "{" + e.key + "}");
    }
    r.url = e.get("url");
    if (r.doi.empty() && !r.url.empty()) r.doi = doi_from_url(r.url);

    std::string pmid = e.get("pmid");
    if (pmid.empty()) pmid = e.get("pubmed_id");
    if (pmid.empty() && iequals(e.get("eprinttype"), "pubmed")) pmid = e.get("eprint");
    if (all_digits(pmid)) r.pmid = pmid;
    r.issn = find_issn(e.get("issn"));
    r.abstract = e.get("abstract");
    for (const char* f : {"keywords", "author_keywords", "mesh", "mesh_terms"}) add_keywords(e.get(f), r.keywords);
    r.language = e.get("language");
    if (r.language.empty()) r.language = e.get("langid");
    r.database = e.get("database");
    if (r.database.empty()) r.database = e.get("source");
    if (r.database.empty() && !r.url.empty()) r.database = database_from_url(r.url);
  }

  std::string_view text_;
  parse_context& ctx_;
  std::unordered_map<std::string, std::string> macros_;
  std::size_t expanded_ = 0;  ///< bytes produced by macro expansion so far (bibtex_max_total_expansion)
  std::size_t line_pos_ = 0;
  std::size_t line_no_ = 1;
};

}  // namespace

void parse_bibtex(std::string_view text, parse_context& ctx) {
  bibtex_parser(text, ctx).run();
}

}  // namespace metasift::review::detail
