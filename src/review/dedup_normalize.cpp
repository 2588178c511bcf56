#include "metasift/review/dedup_normalize.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "metasift/core/text.hpp"
#include "metasift/review/dedup.hpp"

namespace metasift::review {
namespace {

/// Decodes one code point at s[i]; invalid or truncated sequences read the byte as Latin-1.
char32_t decode(std::string_view s, std::size_t& i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0U) == 0xC0U) {
    len = 2;
    cp = b0 & 0x1FU;
  } else if ((b0 & 0xF0U) == 0xE0U) {
    len = 3;
    cp = b0 & 0x0FU;
  } else if ((b0 & 0xF8U) == 0xF0U) {
    len = 4;
    cp = b0 & 0x07U;
  } else {
    ++i;
    return b0;
  }
  if (i + len > s.size()) {
    ++i;
    return b0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0U) != 0x80U) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3FU);
  }
  const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return b0;
  }
  i += len;
  return cp;
}

void encode(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0U | (cp >> 6));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0U | (cp >> 12));
    out += static_cast<char>(0x80U | ((cp >> 6) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (cp >> 18));
    out += static_cast<char>(0x80U | ((cp >> 12) & 0x3FU));
    out += static_cast<char>(0x80U | ((cp >> 6) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  }
}

// U+00C0..U+00FF folded to ASCII ('\0' = special case handled in code).
constexpr char latin1_fold[] =
    "aaaaaa\0ceeeeiiii"   // C0-CF (C6 = ae)
    "dnooooo ouuuuy\0\0"  // D0-DF (D7 = multiplication sign, DE = th, DF = ss)
    "aaaaaa\0ceeeeiiii"   // E0-EF (E6 = ae)
    "dnooooo ouuuuy\0y";  // F0-FF (F7 = division sign, FE = th)
static_assert(sizeof(latin1_fold) == 64 + 1);

// U+0100..U+017F folded to ASCII ('\0' = special: IJ, OE).
constexpr char latin_ext_a_fold[] =
    "aaaaaacccccccc"
    "dddd"
    "eeeeeeeeee"
    "gggggggg"
    "hhhh"
    "iiiiiiiiii"
    "\0\0"
    "jj"
    "kkk"
    "llllllllll"
    "nnnnnnnnn"
    "oooooo"
    "\0\0"
    "rrrrrr"
    "ssssssss"
    "tttttt"
    "uuuuuuuuuuuu"
    "ww"
    "yyy"
    "zzzzzz"
    "s";
static_assert(sizeof(latin_ext_a_fold) == 128 + 1);

constexpr std::array<const char*, 25> greek_names = {
    "alpha", "beta",    "gamma", "delta", "epsilon", "zeta",  "eta", "theta",   "iota", "kappa", "lambda", "mu",   "nu",
    "xi",    "omicron", "pi",    "rho",   "sigma",   "sigma", "tau", "upsilon", "phi",  "chi",   "psi",    "omega"};

bool is_cjk_unit(char32_t cp) noexcept {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

bool is_symbol_separator(char32_t cp) noexcept {
  return (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
         (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0x00A1 && cp <= 0x00BF) || cp == 0x00D7 || cp == 0x00F7;
}

/// Appends the folded form of one code point. word_mode puts spaces around Greek letter names.
void fold_cp(std::string& out, char32_t cp, bool word_mode) {
  if (cp < 0x80) {
    out += (cp >= 'A' && cp <= 'Z') ? static_cast<char>(cp + 32) : static_cast<char>(cp);
    return;
  }
  if (cp < 0xA0) {  // C1 controls (mis-decoded Windows-1252): a separator
    out += ' ';
    return;
  }
  if (cp < 0xC0) {
    switch (cp) {
      case 0xAA: out += 'a'; return;
      case 0xBA: out += 'o'; return;
      case 0xB2: out += '2'; return;
      case 0xB3: out += '3'; return;
      case 0xB9: out += '1'; return;
      case 0xAD: return;  // soft hyphen
      case 0xB5: out += word_mode ? " mu " : "mu"; return;
      default: out += ' '; return;
    }
  }
  if (cp < 0x100) {
    const char c = latin1_fold[cp - 0xC0];
    if (c != '\0') {
      out += c;
    } else if (cp == 0xC6 || cp == 0xE6) {
      out += "ae";
    } else if (cp == 0xDE || cp == 0xFE) {
      out += "th";
    } else {
      out += "ss";
    }
    return;
  }
  if (cp < 0x180) {
    const char c = latin_ext_a_fold[cp - 0x100];
    if (c != '\0') {
      out += c;
    } else {
      out += (cp == 0x132 || cp == 0x133) ? "ij" : "oe";
    }
    return;
  }
  if (cp >= 0x1CD && cp <= 0x1DC) {  // pinyin tone letters
    static constexpr char tones[] = "aaiioouuuuuuuuuu";
    out += tones[cp - 0x1CD];
    return;
  }
  if (cp == 0x1A0 || cp == 0x1A1) {
    out += 'o';
    return;
  }
  if (cp == 0x1AF || cp == 0x1B0) {
    out += 'u';
    return;
  }
  if (cp == 0x218 || cp == 0x219) {
    out += 's';
    return;
  }
  if (cp == 0x21A || cp == 0x21B) {
    out += 't';
    return;
  }
  if (cp >= 0x300 && cp <= 0x36F) return;  // combining marks
  if ((cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x3B1 && cp <= 0x3C9) || (cp >= 0x386 && cp <= 0x38F) ||
      (cp >= 0x3AC && cp <= 0x3B0) || (cp >= 0x3CA && cp <= 0x3CE) || cp == 0x3D5 || cp == 0x3F5 || cp == 0x3D1) {
    int idx = -1;
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) {
      idx = static_cast<int>(cp - 0x391);
    } else if (cp >= 0x3B1 && cp <= 0x3C9) {
      idx = static_cast<int>(cp - 0x3B1);
    } else {
      switch (cp) {
        case 0x386:
        case 0x3AC: idx = 0; break;
        case 0x388:
        case 0x3AD:
        case 0x3F5: idx = 4; break;
        case 0x389:
        case 0x3AE: idx = 6; break;
        case 0x3D1: idx = 7; break;
        case 0x38A:
        case 0x3AF:
        case 0x3CA:
        case 0x390: idx = 8; break;
        case 0x38C:
        case 0x3CC: idx = 14; break;
        case 0x38E:
        case 0x3CD:
        case 0x3CB:
        case 0x3B0: idx = 20; break;
        case 0x3D5: idx = 21; break;
        case 0x38F:
        case 0x3CE: idx = 24; break;
        default: break;
      }
    }
    if (idx >= 0) {
      if (word_mode) out += ' ';
      out += greek_names[static_cast<std::size_t>(idx)];
      if (word_mode) out += ' ';
    } else {
      encode(out, cp);
    }
    return;
  }
  if (cp >= 0x410 && cp <= 0x42F) {
    encode(out, cp + 0x20);
    return;
  }
  if (cp >= 0x400 && cp <= 0x40F) {
    encode(out, cp + 0x50);
    return;
  }
  if (cp >= 0x1EA0 && cp <= 0x1EF9) {  // Vietnamese
    if (cp <= 0x1EB7)
      out += 'a';
    else if (cp <= 0x1EC7)
      out += 'e';
    else if (cp <= 0x1ECB)
      out += 'i';
    else if (cp <= 0x1EE3)
      out += 'o';
    else if (cp <= 0x1EF1)
      out += 'u';
    else
      out += 'y';
    return;
  }
  if ((cp >= 0x200B && cp <= 0x200F) || cp == 0xFEFF || cp == 0x2060) return;  // zero-width, BOM
  if ((cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000) {
    out += ' ';
    return;
  }
  if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63 || cp == 0xFF0D) {
    out += '-';
    return;
  }
  if ((cp >= 0x2018 && cp <= 0x201B) || cp == 0x2032) {
    out += '\'';
    return;
  }
  if (cp >= 0x201C && cp <= 0x201F) {
    out += '"';
    return;
  }
  if (cp == 0x2070) {
    out += '0';
    return;
  }
  if (cp >= 0x2074 && cp <= 0x2079) {
    out += static_cast<char>('4' + (cp - 0x2074));
    return;
  }
  if (cp >= 0x2080 && cp <= 0x2089) {
    out += static_cast<char>('0' + (cp - 0x2080));
    return;
  }
  if (cp >= 0xFF01 && cp <= 0xFF5E) {  // full-width ASCII
    fold_cp(out, cp - 0xFEE0, word_mode);
    return;
  }
  if (word_mode && is_symbol_separator(cp)) {
    out += ' ';
    return;
  }
  encode(out, cp);
}

void fold_into(std::string& out, std::string_view text, bool word_mode) {
  out.reserve(out.size() + text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {  // fast path
      out += (b >= 'A' && b <= 'Z') ? static_cast<char>(b + 32) : static_cast<char>(b);
      ++i;
      continue;
    }
    fold_cp(out, decode(text, i), word_mode);
  }
}

bool is_ascii_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

/// Calls emit(word) for each word of already folded (word-mode) text.
template <class Emit>
void split_folded(std::string_view f, Emit&& emit, std::string_view word_chars = {}) {
  std::size_t i = 0, start = std::string_view::npos;
  auto flush = [&](std::size_t end) {
    if (start != std::string_view::npos) {
      emit(f.substr(start, end - start));
      start = std::string_view::npos;
    }
  };
  while (i < f.size()) {
    const auto b = static_cast<unsigned char>(f[i]);
    if (b < 0x80) {
      if (is_ascii_alnum(static_cast<char>(b)) || word_chars.find(static_cast<char>(b)) != std::string_view::npos) {
        if (start == std::string_view::npos) start = i;
      } else {
        flush(i);
      }
      ++i;
      continue;
    }
    const std::size_t at = i;
    const char32_t cp = decode(f, i);
    if (is_cjk_unit(cp)) {
      flush(at);
      emit(f.substr(at, i - at));
    } else if (is_symbol_separator(cp)) {
      flush(at);
    } else if (start == std::string_view::npos) {
      start = at;
    }
  }
  flush(f.size());
}

std::string_view trim(std::string_view s) noexcept {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  return metasift::text::iequals(a, b);
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct author_parts {
  std::string family;      ///< normalize_words of the family name, particles dropped
  char initial = 0;        ///< first letter of the given names, 0 if none
  std::string given_word;  ///< the first given name when written out in full, else empty
};

/// Drops name particles ("van der Graaf" / "Graaf, van der" / "Van Graaf" -> "graaf"): databases
/// put them before the family name, after the given names, or capitalise them differently. A name
/// made only of particles is kept.
std::string drop_particles(const std::string& words) {
  static constexpr std::array<std::string_view, 24> particles = {
      "van", "von", "der", "den", "de", "del", "della",  "di",     "da",    "du", "la", "le",
      "ter", "ten", "dos", "das", "do", "zu",  "vander", "vanden", "van't", "d",  "l",  "dei"};
  std::string out;
  std::size_t b = 0;
  while (b < words.size()) {
    std::size_t e = words.find(' ', b);
    if (e == std::string::npos) e = words.size();
    const std::string_view w = std::string_view(words).substr(b, e - b);
    if (std::find(particles.begin(), particles.end(), w) == particles.end()) {
      if (!out.empty()) out += ' ';
      out.append(w);
    }
    b = e + 1;
  }
  return out.empty() ? words : out;
}

bool looks_like_initials(std::string_view tok) noexcept {
  // "K." "GF" "G.F." "J-P" : at most 3 letters, all upper case in the original.
  std::size_t letters = 0;
  for (char c : tok) {
    if (c >= 'A' && c <= 'Z') {
      ++letters;
    } else if (c == '.' || c == '-') {
      continue;
    } else {
      return false;
    }
  }
  return letters >= 1 && letters <= 3;
}

author_parts split_author(std::string_view raw) {
  std::string text = strip_markup(raw);
  // Drop parenthesised tails such as "(andrew@uconn.edu)" or "(57197735070)".
  if (const auto p = text.find('('); p != std::string::npos && p > 0) text.erase(p);
  const std::string_view t = trim(text);
  author_parts parts;
  if (t.empty()) return parts;
  const std::string folded = normalize_words(t);
  if (folded.empty() || folded == "anonymous" || folded == "anon" || folded == "et al" || folded == "unknown" ||
      folded == "na" || folded == "n a") {
    return parts;
  }
  std::string_view family, given;
  if (const auto comma = t.find(','); comma != std::string_view::npos) {
    family = trim(t.substr(0, comma));
    given = trim(t.substr(comma + 1));
  } else {
    std::vector<std::string_view> toks;
    std::size_t i = 0;
    while (i < t.size()) {
      while (i < t.size() && t[i] == ' ') ++i;
      const std::size_t s = i;
      while (i < t.size() && t[i] != ' ') ++i;
      if (i > s) toks.push_back(t.substr(s, i - s));
    }
    if (toks.size() == 1) {
      family = toks[0];
    } else {
      std::size_t last_non_initial = toks.size();
      while (last_non_initial > 0 && looks_like_initials(toks[last_non_initial - 1])) --last_non_initial;
      if (last_non_initial > 0 && last_non_initial < toks.size()) {  // "Smith JA", "Lewis G. F."
        const std::size_t fb = static_cast<std::size_t>(toks[0].data() - t.data());
        const std::size_t fe =
            static_cast<std::size_t>(toks[last_non_initial - 1].data() - t.data()) + toks[last_non_initial - 1].size();
        family = t.substr(fb, fe - fb);
        given = toks[last_non_initial];
      } else {
        std::size_t first_non_initial = 0;
        while (first_non_initial < toks.size() && looks_like_initials(toks[first_non_initial])) ++first_non_initial;
        if (first_non_initial > 0 && first_non_initial < toks.size()) {  // "J. A. Smith"
          given = toks[0];
          const std::size_t fb = static_cast<std::size_t>(toks[first_non_initial].data() - t.data());
          family = t.substr(fb);
        } else {  // "John Smith"
          family = toks.back();
          given = toks.front();
        }
      }
    }
  }
  parts.family = drop_particles(normalize_words(family));
  const std::string g = drop_particles(normalize_words(given));
  if (!g.empty()) {
    parts.initial = g[0];
    // A given name written out ("Wei", not "W"): the family name if a database swapped the two.
    const std::string_view first = std::string_view(g).substr(0, g.find(' '));
    if (first.size() > 1 && !looks_like_initials(trim(given).substr(0, trim(given).find(' '))))
      parts.given_word = first;
  }
  return parts;
}

bool is_subsequence_abbrev(std::string_view abbr, std::string_view word) noexcept {
  if (abbr.empty() || word.empty() || abbr[0] != word[0] || abbr.size() > word.size()) return false;
  std::size_t j = 0;
  for (char c : abbr) {
    while (j < word.size() && word[j] != c) ++j;
    if (j == word.size()) return false;
    ++j;
  }
  return true;
}

std::vector<std::string_view> journal_words(std::string_view s) {
  static constexpr std::array<std::string_view, 14> stop = {"of", "and", "in",  "for", "on",  "the", "de",
                                                            "la", "der", "und", "et",  "des", "du",  "le"};
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > b) {
      const std::string_view w = s.substr(b, i - b);
      if (std::find(stop.begin(), stop.end(), w) == stop.end()) out.push_back(w);
    }
  }
  return out;
}

}  // namespace

std::string fold_text(std::string_view text) {
  std::string out;
  fold_into(out, text, false);
  return out;
}

std::vector<std::string> fold_words(std::string_view text) {
  std::string folded;
  fold_into(folded, text, true);
  std::vector<std::string> words;
  split_folded(folded, [&](std::string_view w) { words.emplace_back(w); });
  return words;
}

std::vector<std::string> fold_words(std::string_view text, std::string_view word_chars) {
  std::string folded;
  fold_into(folded, text, true);
  std::vector<std::string> words;
  split_folded(
      folded, [&](std::string_view w) { words.emplace_back(w); }, word_chars);
  return words;
}

std::string normalize_words(std::string_view text) {
  std::string folded;
  fold_into(folded, text, true);
  std::string out;
  out.reserve(folded.size());
  split_folded(folded, [&](std::string_view w) {
    if (!out.empty()) out += ' ';
    out.append(w);
  });
  return out;
}

std::string strip_markup(std::string_view text) {
  if (text.find('<') == std::string_view::npos && text.find('&') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '<' && i + 1 < text.size()) {
      std::size_t j = i + 1;
      if (text[j] == '/') ++j;
      if (j < text.size() && ((text[j] >= 'a' && text[j] <= 'z') || (text[j] >= 'A' && text[j] <= 'Z'))) {
        std::size_t k = j;
        while (k < text.size() && k - i < 64 && text[k] != '>' && text[k] != '<') ++k;
        if (k < text.size() && text[k] == '>') {
          i = k + 1;
          continue;
        }
      }
    } else if (c == '&') {
      const std::size_t semi = text.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        const std::string_view ent = text.substr(i + 1, semi - i - 1);
        char32_t cp = 0;
        if (ent == "amp")
          cp = '&';
        else if (ent == "lt")
          cp = '<';
        else if (ent == "gt")
          cp = '>';
        else if (ent == "quot")
          cp = '"';
        else if (ent == "apos")
          cp = '\'';
        else if (ent == "nbsp")
          cp = ' ';
        else if (ent.size() >= 2 && ent[0] == '#') {
          char32_t v = 0;
          bool ok = true;
          if (ent[1] == 'x' || ent[1] == 'X') {
            for (std::size_t k = 2; k < ent.size(); ++k) {
              const int h = hex_value(ent[k]);
              if (h < 0 || v > 0x10FFFF)
                ok = false;  // past Unicode: stop before the value wraps
              else
                v = v * 16 + static_cast<char32_t>(h);
            }
            ok = ok && ent.size() > 2;
          } else {
            for (std::size_t k = 1; k < ent.size(); ++k) {
              if (ent[k] < '0' || ent[k] > '9' || v > 0x10FFFF)
                ok = false;
              else
                v = v * 10 + static_cast<char32_t>(ent[k] - '0');
            }
          }
          if (ok && v > 0 && v <= 0x10FFFF) cp = v;
        }
        if (cp != 0) {
          encode(out, cp);
          i = semi + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

namespace {

/// True for "[Erratum appears in ...]", "[Comment in: ...]" and the other MEDLINE/Ovid notes that
/// one vendor appends to an article's title: the article has an erratum or a comment, it is not one.
bool is_appended_note(std::string_view inner) noexcept {
  static constexpr std::array<std::string_view, 12> notes = {"erratum appears in",
                                                             "erratum in",
                                                             "comment in",
                                                             "comments in",
                                                             "retraction in",
                                                             "update in",
                                                             "updated in",
                                                             "republished in",
                                                             "corrected and republished in",
                                                             "expression of concern in",
                                                             "summary for patients in",
                                                             "retracted in"};
  const std::string low = lower_ascii(trim(inner));
  for (const auto n : notes) {
    if (low.rfind(n, 0) == 0) return true;
  }
  return false;
}

/// Section names that one database puts before the title ("MEDICAL PROGRESS: ...").
bool is_section_prefix(std::string_view prefix) noexcept {
  static constexpr std::array<std::string_view, 22> sections = {"original article",
                                                                "original articles",
                                                                "original research",
                                                                "original investigation",
                                                                "review article",
                                                                "research article",
                                                                "research paper",
                                                                "research letter",
                                                                "brief report",
                                                                "brief communication",
                                                                "short communication",
                                                                "clinical investigation",
                                                                "medical progress",
                                                                "special article",
                                                                "special communication",
                                                                "clinical practice",
                                                                "case report",
                                                                "case reports",
                                                                "images in clinical medicine",
                                                                "perspective",
                                                                "article",
                                                                "full length article"};
  const std::string n = normalize_words(prefix);
  return std::find(sections.begin(), sections.end(), n) != sections.end();
}

/// "3,000-year" -> "3000-year": a comma or thin space between a digit and exactly three digits.
std::string drop_digit_grouping(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto is_d = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t sep = 0;
    if (s[i] == ',')
      sep = 1;
    else if (s.substr(i).rfind("\xE2\x80\x89", 0) == 0 || s.substr(i).rfind("\xE2\x80\xAF", 0) == 0)
      sep = 3;
    if (sep > 0 && !out.empty() && is_d(out.back()) && i + sep + 3 <= s.size() && is_d(s[i + sep]) &&
        is_d(s[i + sep + 1]) && is_d(s[i + sep + 2]) && (i + sep + 3 == s.size() || !is_d(s[i + sep + 3]))) {
      i += sep - 1;
      continue;
    }
    out += s[i];
  }
  return out;
}

/// Value of a number word up to nineteen ("one" 1, "twelve" 12); -1 for other words.
int small_number(std::string_view w) noexcept {
  static constexpr std::array<std::string_view, 20> words = {
      "zero", "one",    "two",    "three",    "four",     "five",    "six",     "seven",     "eight",    "nine",
      "ten",  "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == w) return static_cast<int>(i);
  }
  return -1;
}

/// Value of a tens word ("twenty" 20 ... "ninety" 90); -1 for other words.
int tens_number(std::string_view w) noexcept {
  static constexpr std::array<std::string_view, 8> words = {"twenty", "thirty",  "forty",  "fifty",
                                                            "sixty",  "seventy", "eighty", "ninety"};
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == w) return static_cast<int>(20 + 10 * i);
  }
  return -1;
}

/// Value of an ordinal word ("first" 1 ... "nineteenth" 19, "twentieth" 20 ... "ninetieth" 90); -1 else.
int ordinal_number(std::string_view w) noexcept {
  static constexpr std::array<std::string_view, 20> small = {
      "",           "first",     "second",    "third",       "fourth",     "fifth",     "sixth",
      "seventh",    "eighth",    "ninth",     "tenth",       "eleventh",   "twelfth",   "thirteenth",
      "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"};
  for (std::size_t i = 1; i < small.size(); ++i) {
    if (small[i] == w) return static_cast<int>(i);
  }
  static constexpr std::array<std::string_view, 8> tens = {"twentieth", "thirtieth",  "fortieth",  "fiftieth",
                                                           "sixtieth",  "seventieth", "eightieth", "ninetieth"};
  for (std::size_t i = 0; i < tens.size(); ++i) {
    if (tens[i] == w) return static_cast<int>(20 + 10 * i);
  }
  return -1;
}

std::string ordinal_digits(int n) {
  const int last2 = n % 100;
  const int last = n % 10;
  const char* suffix = (last2 >= 11 && last2 <= 13) ? "th"
                       : last == 1                  ? "st"
                       : last == 2                  ? "nd"
                       : last == 3                  ? "rd"
                                                    : "th";
  return std::to_string(n) + suffix;
}

/// Number words written as digits, on normalised (lower-case, space-separated) words: "three year"
/// -> "3 year", "twenty one" (from "twenty-one") -> "21", "one hundred twenty" -> "120", "two
/// thousand" -> "2000", "first" -> "1st", "twenty first" -> "21st". Databases and authors write
/// the same title both ways ("Three-year outcomes" / "3-year outcomes"); the title-number check
/// of the dedup rules then compares the numbers whichever way they were written.
std::string number_words_to_digits(const std::string& words) {
  std::vector<std::string_view> w;
  for (std::size_t p = 0; p < words.size();) {
    const std::size_t sp = words.find(' ', p);
    const std::size_t end = sp == std::string::npos ? words.size() : sp;
    w.push_back(std::string_view(words).substr(p, end - p));
    p = end + 1;
  }
  bool any = false;
  for (const std::string_view x : w) any = any || small_number(x) >= 0 || tens_number(x) >= 0 || ordinal_number(x) > 0;
  if (!any) return words;

  // A number below 100 at w[i]: "seven", "seventy", "seventy seven"; sets `ordinal` for
  // "seventh", "seventy seventh". Returns the words used (0 when w[i] is no number word).
  const auto below_100 = [&](std::size_t i, int& value, bool& ordinal) -> std::size_t {
    ordinal = false;
    if (i >= w.size()) return 0;
    if (const int t = tens_number(w[i]); t >= 0) {
      value = t;
      if (i + 1 < w.size()) {
        if (const int u = small_number(w[i + 1]); u >= 1 && u <= 9) {
          value += u;
          return 2;
        }
        if (const int o = ordinal_number(w[i + 1]); o >= 1 && o <= 9) {
          value += o;
          ordinal = true;
          return 2;
        }
      }
      return 1;
    }
    if (const int u = small_number(w[i]); u >= 0) {
      value = u;
      return 1;
    }
    if (const int o = ordinal_number(w[i]); o > 0) {
      value = o;
      ordinal = true;
      return 1;
    }
    return 0;
  };

  std::string out;
  out.reserve(words.size());
  for (std::size_t i = 0; i < w.size();) {
    int value = 0;
    bool ordinal = false;
    std::size_t used = below_100(i, value, ordinal);
    if (used == 0) {
      if (!out.empty()) out += ' ';
      out.append(w[i]);
      ++i;
      continue;
    }
    std::size_t j = i + used;
    if (!ordinal && value >= 1 && value <= 9 && j < w.size() && w[j] == "hundred") {
      value *= 100;
      ++j;
      // "one hundred (and) twenty": the "and" only when a number follows it.
      std::size_t k = j < w.size() && w[j] == "and" ? j + 1 : j;
      int rest = 0;
      bool rest_ordinal = false;
      if (const std::size_t n = below_100(k, rest, rest_ordinal); n > 0 && rest > 0) {
        value += rest;
        ordinal = rest_ordinal;
        j = k + n;
      }
    }
    if (!ordinal && value >= 1 && value <= 999 && j < w.size() && w[j] == "thousand") {
      value *= 1000;
      ++j;
    }
    if (!out.empty()) out += ' ';
    out += ordinal ? ordinal_digits(value) : std::to_string(value);
    i = j;
  }
  return out;
}

}  // namespace

std::string normalize_title(std::string_view title) {
  std::string t = drop_digit_grouping(strip_markup(title));
  std::string_view v = trim(t);
  while (!v.empty() && (v.back() == '.' || v.back() == ' ')) v.remove_suffix(1);
  // Appended notes, possibly several: "<title>. [Erratum appears in ...] [Comment in ...]".
  while (!v.empty() && v.back() == ']') {
    const auto open = v.rfind('[');
    if (open == std::string_view::npos || open == 0 || !is_appended_note(v.substr(open + 1, v.size() - open - 2)))
      break;
    v = trim(v.substr(0, open));
    while (!v.empty() && (v.back() == '.' || v.back() == ' ')) v.remove_suffix(1);
  }
  // MEDLINE writes a translated title in brackets: "[Treatment of ...]".
  if (v.size() > 2 && v.front() == '[' && v.back() == ']' && v.find('[', 1) == std::string_view::npos) {
    v = trim(v.substr(1, v.size() - 2));
    while (!v.empty() && (v.back() == '.' || v.back() == ' ')) v.remove_suffix(1);
  }
  // A section name before a colon, when a title of at least three words follows.
  if (const auto colon = v.find(':');
      colon != std::string_view::npos && colon > 0 && colon < 40 && is_section_prefix(v.substr(0, colon))) {
    const std::string_view rest = trim(v.substr(colon + 1));
    if (normalize_words(rest).find(' ') != std::string::npos) v = rest;
  }
  if (!v.empty() && v.back() == ']') {
    const auto open = v.rfind('[');
    if (open != std::string_view::npos && open > 10 && v.size() - open < 48) {
      const std::string note = normalize_words(v.substr(open));
      static constexpr std::array<std::string_view, 16> langs = {
          "article in", "chinese", "russian", "german",  "french", "spanish",   "japanese", "italian",
          "portuguese", "polish",  "korean",  "turkish", "czech",  "hungarian", "dutch",    "persian"};
      bool is_lang = false;
      for (const auto l : langs) is_lang = is_lang || note.find(l) != std::string::npos;
      if (is_lang) v = trim(v.substr(0, open));
    }
  }
  return number_words_to_digits(normalize_words(v));
}

std::string normalize_abstract(std::string_view abstract, std::size_t max_chars) {
  std::string a = strip_markup(abstract);
  if (!a.empty()) {
    const std::size_t tail_start = a.size() > 300 ? a.size() - 300 : 0;
    std::size_t cut = std::string::npos;
    const auto c1 = a.rfind("\xC2\xA9");  // ©
    if (c1 != std::string::npos && c1 >= tail_start) cut = c1;
    const std::string low = lower_ascii(std::string_view(a).substr(tail_start));
    const auto c2 = low.rfind("copyright");
    if (c2 != std::string::npos) cut = std::min(cut, tail_start + c2);
    const auto c3 = low.rfind("(c) ");
    if (c3 != std::string::npos) cut = std::min(cut, tail_start + c3);
    if (cut != std::string::npos && cut > 0) a.erase(cut);
  }
  std::string n = normalize_words(a);
  if (n.size() > max_chars) n.resize(max_chars);
  return n;
}

std::string canonical_doi(std::string_view doi) {
  std::string s;
  s.reserve(doi.size());
  for (std::size_t i = 0; i < doi.size(); ++i) {  // URL-decode and lower-case
    char c = doi[i];
    if (c == '%' && i + 2 < doi.size() && hex_value(doi[i + 1]) >= 0 && hex_value(doi[i + 2]) >= 0) {
      c = static_cast<char>(hex_value(doi[i + 1]) * 16 + hex_value(doi[i + 2]));
      i += 2;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    s += c;
  }
  std::size_t start = std::string::npos;
  for (std::size_t i = 0; i + 3 < s.size(); ++i) {
    if (s.compare(i, 3, "10.") == 0 && s[i + 3] >= '0' && s[i + 3] <= '9' && (i == 0 || !is_ascii_alnum(s[i - 1]))) {
      start = i;
      break;
    }
  }
  if (start == std::string::npos) return {};
  std::size_t end = start;
  while (end < s.size() && s[end] != ' ' && s[end] != '\t' && s[end] != '\n' && s[end] != '\r') ++end;
  std::string d = s.substr(start, end - start);
  if (d.size() >= 5 && d.compare(d.size() - 5, 5, "[doi]") == 0) d.resize(d.size() - 5);
  for (;;) {
    if (d.empty()) break;
    const char last = d.back();
    if (last == '.' || last == ',' || last == ';' || last == ']' || last == '"' || last == '\'') {
      d.pop_back();
    } else if (last == ')' && std::count(d.begin(), d.end(), '(') < std::count(d.begin(), d.end(), ')')) {
      d.pop_back();
    } else {
      break;
    }
  }
  const auto slash = d.find('/');
  if (slash == std::string::npos || slash < 4 || slash + 1 >= d.size()) return {};
  for (std::size_t i = 3; i < slash; ++i) {
    if (!((d[i] >= '0' && d[i] <= '9') || d[i] == '.')) return {};
  }
  return d;
}

page_range normalize_pages(std::string_view pages) {
  std::string f = fold_text(trim(pages));
  if (f == "na" || f == "n/a" || f == "-") return {};
  for (const std::string_view prefix : {"pp.", "pp ", "p.", "p "}) {
    if (f.rfind(prefix, 0) == 0) {
      f.erase(0, prefix.size());
      break;
    }
  }
  auto clean = [](std::string_view s) {
    std::string o;
    for (char c : s) {
      if (is_ascii_alnum(c)) o += c;
    }
    std::size_t z = 0;  // drop leading zeros of numbers
    while (z + 1 < o.size() && o[z] == '0') ++z;
    return o.substr(z);
  };
  page_range r;
  const auto dash = f.find('-');
  if (dash == std::string::npos) {
    r.first = clean(f);
    return r;
  }
  r.first = clean(std::string_view(f).substr(0, dash));
  std::size_t rest = dash;
  while (rest < f.size() && f[rest] == '-') ++rest;
  r.last = clean(std::string_view(f).substr(rest));
  const auto all_digits = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (all_digits(r.first) && all_digits(r.last) && r.last.size() < r.first.size()) {
    r.last = r.first.substr(0, r.first.size() - r.last.size()) + r.last;
  }
  return r;
}

std::string normalize_volume(std::string_view volume) {
  const std::string_view v = trim(volume);
  if (v.empty() || iequals_ascii(v, "na") || iequals_ascii(v, "n/a")) return {};
  // A field cut inside "38 (Supplement 1)" leaves "1)": unreliable, so unknown.
  if (v.find(')') != std::string_view::npos && v.find('(') == std::string_view::npos) return {};
  std::size_t i = 0;
  while (i < v.size() && !(v[i] >= '0' && v[i] <= '9')) ++i;
  if (i == v.size()) return {};  // no number: "Spec Iss", "XII", "A)" compare unreliably
  while (i + 1 < v.size() && v[i] == '0' && v[i + 1] >= '0' && v[i + 1] <= '9') ++i;
  std::size_t e = i;
  while (e < v.size() && v[e] >= '0' && v[e] <= '9') ++e;
  return std::string(v.substr(i, e - i));
}

std::string normalize_journal(std::string_view journal) {
  std::string j = strip_markup(journal);
  const std::string low = lower_ascii(j);
  for (const std::string_view tail : {". conference:", ". conference ", "; conference", ". supplement", ". suppl"}) {
    const auto p = low.find(tail);
    if (p != std::string::npos && p > 0) {
      j.erase(p);
      break;
    }
  }
  std::string amp;
  for (char c : j) {
    if (c == '&')
      amp += " and ";
    else
      amp += c;
  }
  std::string n = normalize_words(amp);
  if (n.rfind("the ", 0) == 0) n.erase(0, 4);
  return n;
}

double journal_similarity(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  double best = jaro_winkler(a, b);
  auto wa = journal_words(a), wb = journal_words(b);
  if (wa.empty() || wb.empty()) return best;
  if (wa.size() > wb.size()) std::swap(wa, wb);
  if (wa.size() == wb.size()) {
    bool all = true;
    for (std::size_t i = 0; i < wa.size() && all; ++i) {
      all = is_subsequence_abbrev(wa[i], wb[i]) || is_subsequence_abbrev(wb[i], wa[i]);
    }
    if (all) best = 1.0;
  }
  return best;
}

std::string normalize_author(std::string_view author) {
  const author_parts p = split_author(author);
  if (p.family.empty()) return {};
  std::string out = p.family;
  if (p.initial != 0) {
    out += ' ';
    out += p.initial;
  }
  return out;
}

std::string first_author_family(const std::vector<std::string>& authors) {
  for (const auto& a : authors) {
    const author_parts p = split_author(a);
    if (p.family.empty()) continue;
    std::string out;
    for (char c : p.family) {
      if (c != ' ') out += c;
    }
    return out;
  }
  return {};
}

std::string normalize_authors_swapped(const std::vector<std::string>& authors, std::size_t max_authors) {
  std::string out;
  std::size_t n = 0;
  bool any = false;
  for (const auto& a : authors) {
    if (n == max_authors) break;
    const author_parts p = split_author(a);
    if (p.family.empty()) continue;
    if (!out.empty()) out += "; ";
    if (!p.given_word.empty()) {
      any = true;
      out += p.given_word;
      out += ' ';
      out += p.family[0];
    } else {
      out += p.family;
      if (p.initial != 0) {
        out += ' ';
        out += p.initial;
      }
    }
    ++n;
  }
  return any ? out : std::string();
}

std::string normalize_authors(const std::vector<std::string>& authors, std::size_t max_authors) {
  std::string out;
  std::size_t n = 0;
  for (const auto& a : authors) {
    if (n == max_authors) break;
    const std::string one = normalize_author(a);
    if (one.empty()) continue;
    if (!out.empty()) out += "; ";
    out += one;
    ++n;
  }
  return out;
}

std::string canonical_language(std::string_view language) {
  const std::string f = normalize_words(language);
  struct entry {
    std::string_view code;
    std::array<std::string_view, 4> names;
  };
  static constexpr std::array<entry, 22> table = {{
      {"en", {"english", "eng", "en", ""}},    {"zh", {"chinese", "chi", "zho", "zh"}},
      {"fr", {"french", "fre", "fra", "fr"}},  {"de", {"german", "ger", "deu", "de"}},
      {"es", {"spanish", "spa", "es", ""}},    {"ja", {"japanese", "jpn", "ja", ""}},
      {"pt", {"portuguese", "por", "pt", ""}}, {"ru", {"russian", "rus", "ru", ""}},
      {"it", {"italian", "ita", "it", ""}},    {"ko", {"korean", "kor", "ko", ""}},
      {"nl", {"dutch", "dut", "nld", "nl"}},   {"pl", {"polish", "pol", "pl", ""}},
      {"tr", {"turkish", "tur", "tr", ""}},    {"fa", {"persian", "per", "fas", "fa"}},
      {"ar", {"arabic", "ara", "ar", ""}},     {"cs", {"czech", "cze", "ces", "cs"}},
      {"hu", {"hungarian", "hun", "hu", ""}},  {"sv", {"swedish", "swe", "sv", ""}},
      {"da", {"danish", "dan", "da", ""}},     {"no", {"norwegian", "nor", "no", ""}},
      {"fi", {"finnish", "fin", "fi", ""}},    {"el", {"greek", "gre", "ell", "el"}},
  }};
  for (const auto& e : table) {
    for (const auto n : e.names) {
      if (!n.empty() && f == n) return std::string(e.code);
    }
  }
  return f;
}

std::uint64_t fnv1a(std::string_view text) noexcept {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace metasift::review
