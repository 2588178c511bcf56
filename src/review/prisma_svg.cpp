// PRISMA 2020 flow diagram: the layout (shared with the diagrams module's scene) and a self-contained,
// deterministic SVG writer that needs no font library.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "metasift/core/text.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/review/prisma_layout.hpp"

namespace metasift::review {
namespace {

constexpr double margin = 18.0;
constexpr double side_w = 24.0;
constexpr double side_gap = 10.0;
constexpr double col_w = 250.0;
constexpr double col_gap = 44.0;
constexpr double pad = 6.0;
constexpr double body = 9.0;
constexpr double row_gap = 24.0;

std::string n_of(std::size_t n) {
  return "(n = " + std::to_string(n) + ")";
}

struct item {
  std::string text;
  bool bold = false;
  double indent = 0;
};

std::vector<std::string> wrap(const std::string& text, double width, double size, bool bold, const text_measure& m) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t e = std::min(text.find(' ', i), text.size());
    if (e > i) words.push_back(text.substr(i, e - i));
    i = e + 1;
  }
  // "(n = 12)" never breaks.
  for (std::size_t k = 0; k + 2 < words.size(); ++k) {
    if (words[k] == "(n" && words[k + 1] == "=") {
      words[k] += " = " + words[k + 2];
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(k) + 1,
                  words.begin() + static_cast<std::ptrdiff_t>(k) + 3);
    }
  }
  std::vector<std::string> out;
  std::string line;
  for (const std::string& word : words) {
    const std::string candidate = line.empty() ? word : line + " " + word;
    if (!line.empty() && m(candidate, size, bold) > width) {
      out.push_back(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.empty() || out.empty()) out.push_back(line);
  return out;
}

class builder {
 public:
  builder(const prisma_counts& c, const text_measure& m) : c_(c), m_(m) {
    left_x_ = margin + side_w + side_gap;
    right_x_ = left_x_ + col_w + col_gap;
    L_.width = right_x_ + col_w + margin;
    if (c.has_other_methods()) {  // the template's second arm, "identification via other methods"
      other_x_ = right_x_ + col_w + col_gap;
      other_right_x_ = other_x_ + col_w + col_gap;
      L_.width = other_right_x_ + col_w + margin;
    }
    L_.title = c.title.empty() ? "PRISMA 2020 flow diagram" : c.title;
  }

  prisma_layout build() {
    double y = margin;
    if (!c_.title.empty()) {
      for (const auto& l : wrap(c_.title, L_.width - 2 * margin, 12, true, m_)) {
        L_.lines.push_back({l, L_.width / 2, y + 12, 12, true, true});
        y += 15;
      }
      y += 8;
    }
    // Header.
    const double header_w = right_x_ + col_w - left_x_;
    L_.boxes.push_back({left_x_, y, header_w, 24, 0xF7D774, true, true, "header"});
    L_.lines.push_back(
        {"Identification of studies via databases and registers", left_x_ + header_w / 2, y + 16, 10, true, true});
    const bool other = c_.has_other_methods();
    if (other) {
      L_.boxes.push_back({other_x_, y, header_w, 24, 0xD9D9D9, true, true, "header-other"});
      L_.lines.push_back(
          {"Identification of studies via other methods", other_x_ + header_w / 2, y + 16, 10, true, true});
    }
    y += 24 + 16;
    std::vector<item> o_ident, o_removed;
    if (other) {
      o_ident = {{"Records identified from:"}};
      for (const auto& [kind, label, n] : {std::tuple("website", "Websites ", c_.website_results),
                                           std::tuple("organisation", "Organisations ", c_.organisation_results),
                                           std::tuple("citation", "Citation searching ", c_.citations_results)}) {
        o_ident.push_back({label + n_of(n), false, 10});
        for (std::size_t k = 0; k < c_.other_specific_results.size(); ++k) {
          const auto& d = c_.other_specific_results[k];
          if (k < c_.other_specific_kinds.size() && c_.other_specific_kinds[k] == kind) {
            o_ident.push_back({d.name + " " + n_of(d.n), false, 20});
          }
        }
      }
      o_removed = {{"Records removed before retrieval:"},
                   {"Duplicate records removed " + n_of(c_.other_duplicates), false, 10},
                   {"Records marked as ineligible by automation tools " + n_of(c_.other_excluded_automatic), false, 10},
                   {"Records excluded at title-abstract screening " + n_of(c_.other_records_excluded), false, 10}};
      if (c_.other_awaiting_screening > 0) {
        o_removed.push_back({"awaiting screening " + n_of(c_.other_awaiting_screening), false, 10});
      }
    }

    // Identification.
    std::vector<item> ident = {{"Records identified from*:"}, {"Databases " + n_of(c_.database_results)}};
    for (const auto& d : c_.database_specific_results) ident.push_back({d.name + " " + n_of(d.n), false, 10});
    ident.push_back({"Registers " + n_of(c_.register_results)});
    for (const auto& d : c_.register_specific_results) ident.push_back({d.name + " " + n_of(d.n), false, 10});
    std::vector<item> removed = {{"Records removed before screening:"},
                                 {"Duplicate records removed " + n_of(c_.duplicates), false, 10}};
    if (c_.maybe_duplicates > 0) {
      removed.push_back({"(possible duplicates kept for a human " + n_of(c_.maybe_duplicates) + ")", false, 20});
    }
    removed.push_back({"Records marked as ineligible by automation tools " + n_of(c_.excluded_automatic), false, 10});
    for (const auto& r : c_.excluded_automatic_reasons) removed.push_back({r.name + " " + n_of(r.n), false, 20});
    removed.push_back({"Records removed for other reasons " + n_of(c_.excluded_other), false, 10});
    const double id_top = y;
    y = row(y, ident, removed, "identified", "removed", 0, other ? &o_ident : nullptr, other ? &o_removed : nullptr);
    const double o_ident_bottom = last_other_bottom_;
    side("Identification", id_top, y);
    y += row_gap;

    // Screening.
    const double sc_top = y;
    std::vector<item> screened = {{"Records screened " + n_of(c_.records_screened)}};
    if (c_.awaiting_screening > 0) screened.push_back({"awaiting screening " + n_of(c_.awaiting_screening), false, 10});
    std::vector<item> excluded = {{"Records excluded** " + n_of(c_.records_excluded)}};
    for (const auto& r : c_.records_excluded_reasons) excluded.push_back({r.name + " " + n_of(r.n), false, 10});
    arrow_down(y);
    y = row(y, screened, excluded, "screened", "excluded");
    y += row_gap;
    arrow_down(y);
    const std::vector<item> o_sought = {{"Reports sought for retrieval " + n_of(c_.other_sought_reports)}};
    const std::vector<item> o_notretrieved = {{"Reports not retrieved " + n_of(c_.other_notretrieved_reports)}};
    if (other) L_.arrows.push_back({other_x_ + col_w / 2, o_ident_bottom, other_x_ + col_w / 2, y});
    y = row(y, {{"Reports sought for retrieval " + n_of(c_.dbr_sought_reports)}},
            {{"Reports not retrieved " + n_of(c_.dbr_notretrieved_reports)}}, "sought", "notretrieved", 0,
            other ? &o_sought : nullptr, other ? &o_notretrieved : nullptr);
    y += row_gap;
    std::vector<item> assessed = {{"Reports assessed for eligibility " + n_of(c_.dbr_assessed)}};
    if (c_.awaiting_full_text > 0)
      assessed.push_back({"awaiting assessment " + n_of(c_.awaiting_full_text), false, 10});
    std::vector<item> ft_excluded;
    if (c_.dbr_excluded.empty()) {
      ft_excluded.push_back({"Reports excluded " + n_of(0)});
    } else {
      ft_excluded.push_back({"Reports excluded:"});
      for (const auto& r : c_.dbr_excluded) ft_excluded.push_back({r.name + " " + n_of(r.n), false, 10});
    }
    std::vector<item> o_assessed = {{"Reports assessed for eligibility " + n_of(c_.other_assessed)}};
    if (c_.other_awaiting_full_text > 0) {
      o_assessed.push_back({"awaiting assessment " + n_of(c_.other_awaiting_full_text), false, 10});
    }
    std::vector<item> o_excluded;
    if (c_.other_excluded.empty()) {
      o_excluded.push_back({"Reports excluded " + n_of(0)});
    } else {
      o_excluded.push_back({"Reports excluded:"});
      for (const auto& r : c_.other_excluded) o_excluded.push_back({r.name + " " + n_of(r.n), false, 10});
    }
    arrow_down(y);
    if (other) L_.arrows.push_back({other_x_ + col_w / 2, last_other_bottom_, other_x_ + col_w / 2, y});
    y = row(y, assessed, ft_excluded, "assessed", "ftexcluded", 0, other ? &o_assessed : nullptr,
            other ? &o_excluded : nullptr);
    const double o_assessed_bottom = last_other_bottom_;
    side("Screening", sc_top, y);
    y += row_gap;

    // Included.
    const double in_top = y;
    arrow_down(y);
    // The template for updated reviews: the previous version's studies, the new ones, the total.
    y = row(y,
            c_.update
                ? std::vector<item>{{"Studies included in previous version of review " + n_of(c_.previous_studies)},
                                    {"Reports of studies included in previous version of review " +
                                     n_of(c_.previous_reports)},
                                    {"New studies included in review " + n_of(c_.new_studies)},
                                    {"Reports of new included studies " + n_of(c_.new_reports)},
                                    {"Total studies included in review " + n_of(c_.total_studies)},
                                    {"Reports of total included studies " + n_of(c_.total_reports)}}
                : std::vector<item>{{"Studies included in review " + n_of(c_.new_studies)},
                                    {"Reports of included studies " + n_of(c_.new_reports)}},
            {}, "included", "", m_("Included", 10, true) + 16);
    if (other) L_.arrows.push_back({other_x_ + col_w / 2, o_assessed_bottom, left_x_ + col_w, (in_top + y) / 2});
    side("Included", in_top, y);
    y += 18;

    // Template footnotes and credit.
    const double foot_w = L_.width - 2 * margin;
    for (const std::string& f :
         {std::string("*Consider, if feasible to do so, reporting the number of records identified from each database "
                      "or register searched (rather than the total number across all databases/registers)."),
          std::string("**If automation tools were used, indicate how many records were excluded by a human and how "
                      "many were excluded by automation tools."),
          std::string("Template: Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated "
                      "guideline for reporting systematic reviews. BMJ 2021;372:n71. doi: 10.1136/bmj.n71. "
                      "Counts: metasift screen.")}) {
      for (const auto& l : wrap(f, foot_w, 7, false, m_)) {
        y += 9;
        L_.lines.push_back({l, margin, y, 7, false, false});
      }
      y += 2;
    }
    L_.height = std::ceil(y + margin);
    return std::move(L_);
  }

 private:
  /// Lays out one row: a left box and an optional right box of equal height, with an arrow
  /// between them. Returns the row's bottom.
  double row(double y, const std::vector<item>& left, const std::vector<item>& right, const std::string& left_id,
             const std::string& right_id, double min_height = 0, const std::vector<item>* other_left = nullptr,
             const std::vector<item>* other_right = nullptr) {
    std::vector<prisma_text_line> ll = text_block(left, left_x_, y);
    std::vector<prisma_text_line> rl = text_block(right, right_x_, y);
    const double lh = block_height(left), rh = right.empty() ? 0.0 : block_height(right);
    double h = std::max({lh, rh, min_height});
    if (other_left != nullptr && other_right != nullptr) {
      h = std::max({h, block_height(*other_left), block_height(*other_right)});
      for (const auto& [items, x, id] : {std::tuple(other_left, other_x_, "other-" + left_id),
                                         std::tuple(other_right, other_right_x_, "other-" + right_id)}) {
        L_.boxes.push_back({x, y, col_w, h, 0xFFFFFF, true, false, id});
        const auto tl = text_block(*items, x, y);
        L_.lines.insert(L_.lines.end(), tl.begin(), tl.end());
      }
      L_.arrows.push_back({other_x_ + col_w, y + h / 2, other_right_x_, y + h / 2});
      last_other_bottom_ = y + h;
    }
    L_.boxes.push_back({left_x_, y, col_w, h, 0xFFFFFF, true, false, left_id});
    L_.lines.insert(L_.lines.end(), ll.begin(), ll.end());
    if (!right.empty()) {
      L_.boxes.push_back({right_x_, y, col_w, h, 0xFFFFFF, true, false, right_id});
      L_.lines.insert(L_.lines.end(), rl.begin(), rl.end());
      L_.arrows.push_back({left_x_ + col_w, y + h / 2, right_x_, y + h / 2});
    }
    last_bottom_ = y + h;
    return y + h;
  }

  void arrow_down(double top) {
    const double x = left_x_ + col_w / 2;
    L_.arrows.push_back({x, last_bottom_, x, top});
  }

  void side(const std::string& text, double top, double bottom) {
    L_.boxes.push_back({margin, top, side_w, bottom - top, 0xA9C4EB, true, true, "side-" + text});
    L_.side_labels.push_back({text, margin + side_w / 2, (top + bottom) / 2, 10});
  }

  [[nodiscard]] std::vector<std::vector<std::string>> wrapped(const std::vector<item>& items) const {
    std::vector<std::vector<std::string>> out;
    for (const auto& it : items) out.push_back(wrap(it.text, col_w - 2 * pad - it.indent, body, it.bold, m_));
    return out;
  }

  [[nodiscard]] double block_height(const std::vector<item>& items) const {
    std::size_t n = 0;
    for (const auto& w : wrapped(items)) n += w.size();
    return 2 * pad + static_cast<double>(n) * line_h + 2.0;
  }

  [[nodiscard]] std::vector<prisma_text_line> text_block(const std::vector<item>& items, double x, double y) const {
    std::vector<prisma_text_line> out;
    double baseline = y + pad + body;
    const auto w = wrapped(items);
    for (std::size_t i = 0; i < items.size(); ++i) {
      for (std::size_t k = 0; k < w[i].size(); ++k) {
        const double extra = k == 0 ? 0.0 : 8.0;  // hanging indent for continuation lines
        out.push_back({w[i][k], x + pad + items[i].indent + extra, baseline, body, items[i].bold, false});
        baseline += line_h;
      }
    }
    return out;
  }

  static constexpr double line_h = body * 1.3;
  const prisma_counts& c_;
  const text_measure& m_;
  prisma_layout L_;
  double left_x_ = 0, right_x_ = 0, last_bottom_ = 0;
  double other_x_ = 0, other_right_x_ = 0, last_other_bottom_ = 0;
};

void num(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  out += s;
}

void xml_escape(std::string& out, std::string_view s) {
  metasift::text::append_xml_escaped(out, s);
}

void hex_color(std::string& out, unsigned rgb) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%06X", rgb & 0xFFFFFFU);
  out += buf;
}

}  // namespace

double approximate_text_width(std::string_view text, double size, bool bold) {
  double em = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if ((c & 0xC0U) == 0x80U) continue;  // continuation byte
      em += c >= 0xE0 ? 1.0 : 0.62;        // CJK (3-byte) full width; accented Latin like a letter
      continue;
    }
    if (c == ' ')
      em += 0.318;
    else if (c >= '0' && c <= '9')
      em += 0.636;
    else if (c == 'i' || c == 'l' || c == 'j' || c == '\'' || c == '|' || c == '.' || c == ',' || c == ':' ||
             c == ';' || c == '!')
      em += 0.3;
    else if (c == 'm' || c == 'w' || c == 'M' || c == 'W')
      em += 0.95;
    else if (c == 'f' || c == 't' || c == 'r' || c == '(' || c == ')' || c == '-' || c == '*')
      em += 0.4;
    else if (c >= 'A' && c <= 'Z')
      em += 0.72;
    else
      em += 0.6;
  }
  return em * size * (bold ? 1.08 : 1.0);
}

prisma_layout layout_prisma(const prisma_counts& c, const text_measure& measure) {
  return builder(c, measure).build();
}

std::string prisma_svg(const prisma_counts& c) {
  const prisma_layout L = layout_prisma(c, approximate_text_width);
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"";
  num(o, L.width);
  o += "pt\" height=\"";
  num(o, L.height);
  o += "pt\" viewBox=\"0 0 ";
  num(o, L.width);
  o += ' ';
  num(o, L.height);
  o += "\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n<title>";
  xml_escape(o, L.title);
  o += "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n<g id=\"boxes\">\n";
  for (const auto& b : L.boxes) {
    o += "<rect";
    if (!b.id.empty()) {
      o += " id=\"";
      xml_escape(o, b.id);
      o += '"';
    }
    o += " x=\"";
    num(o, b.x);
    o += "\" y=\"";
    num(o, b.y);
    o += "\" width=\"";
    num(o, b.w);
    o += "\" height=\"";
    num(o, b.h);
    o += '"';
    if (b.rounded) o += " rx=\"4\"";
    o += " fill=\"";
    hex_color(o, b.fill);
    o += "\" stroke=\"#000000\" stroke-width=\"0.75\"/>\n";
  }
  o += "</g>\n<g id=\"arrows\" stroke=\"#000000\" stroke-width=\"0.75\" fill=\"#000000\">\n";
  for (const auto& a : L.arrows) {
    const double dx = a.x2 - a.x1, dy = a.y2 - a.y1, len = std::hypot(dx, dy);
    if (len <= 0) continue;
    const double ux = dx / len, uy = dy / len, hl = 6.0, hw = 3.0;
    const double bx = a.x2 - ux * hl, by = a.y2 - uy * hl;
    o += "<line x1=\"";
    num(o, a.x1);
    o += "\" y1=\"";
    num(o, a.y1);
    o += "\" x2=\"";
    num(o, bx);
    o += "\" y2=\"";
    num(o, by);
    o += "\"/>\n<polygon points=\"";
    num(o, a.x2);
    o += ',';
    num(o, a.y2);
    o += ' ';
    num(o, bx - uy * hw);
    o += ',';
    num(o, by + ux * hw);
    o += ' ';
    num(o, bx + uy * hw);
    o += ',';
    num(o, by - ux * hw);
    o += "\" stroke=\"none\"/>\n";
  }
  o += "</g>\n<g id=\"text\" fill=\"#000000\">\n";
  for (const auto& s : L.side_labels) {
    o += "<text transform=\"translate(";
    num(o, s.cx + s.size * 0.35);
    o += ',';
    num(o, s.cy);
    o += ") rotate(-90)\" font-size=\"";
    num(o, s.size);
    o += "\" font-weight=\"bold\" text-anchor=\"middle\">";
    xml_escape(o, s.text);
    o += "</text>\n";
  }
  for (const auto& l : L.lines) {
    o += "<text x=\"";
    num(o, l.x);
    o += "\" y=\"";
    num(o, l.y);
    o += "\" font-size=\"";
    num(o, l.size);
    o += '"';
    if (l.bold) o += " font-weight=\"bold\"";
    if (l.middle) o += " text-anchor=\"middle\"";
    o += '>';
    xml_escape(o, l.text);
    o += "</text>\n";
  }
  o += "</g>\n</svg>\n";
  return o;
}

}  // namespace metasift::review
