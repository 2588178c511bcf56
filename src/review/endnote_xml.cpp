// EndNote XML (written by EndNote, Zotero, Mendeley): <xml><records><record>...</record>...
//
// A small tolerant reader for this one schema, not a general XML parser: it builds a tree for
// each <record> element only, decodes the predefined and numeric character references and CDATA,
// skips comments, processing instructions and DOCTYPE, and recovers from mismatched end tags by
// closing up to the matching open element. The text of an element is the text of all its
// descendants, so EndNote's <style face="..."> wrappers (which may split a title into several
// runs) disappear.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "import_internal.hpp"

namespace metasift::review::detail {
namespace {

struct xml_node {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::unique_ptr<xml_node>> children;
  std::string text;  ///< own text and the text of descendants, in document order
  std::size_t line = 0;

  [[nodiscard]] const xml_node* child(std::string_view n) const {
    for (const auto& c : children) {
      if (c->name == n) return c.get();
    }
    return nullptr;
  }
  /// Descendant by a '/'-separated path of element names.
  [[nodiscard]] const xml_node* find(std::string_view path) const {
    const xml_node* node = this;
    while (node != nullptr && !path.empty()) {
      const std::size_t slash = path.find('/');
      node = node->child(path.substr(0, slash));
      path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    }
    return node;
  }
  [[nodiscard]] std::string_view attribute(std::string_view n) const {
    for (const auto& [k, v] : attributes) {
      if (k == n) return v;
    }
    return {};
  }
};

std::string text_of(const xml_node* n) { return n != nullptr ? clean_text(n->text) : std::string(); }

/// Decodes character references in s and appends to out. Unknown entities stay as written.
void append_decoded(std::string_view s, std::string& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s.substr(i));
      return;
    }
    out.append(s.substr(i, amp - i));
    const std::size_t semi = s.find(';', amp);
    if (semi == std::string_view::npos || semi - amp > 12) {
      out += '&';
      i = amp + 1;
      continue;
    }
    const std::string_view ent = s.substr(amp + 1, semi - amp - 1);
    if (ent == "amp") {
      out += '&';
    } else if (ent == "lt") {
      out += '<';
    } else if (ent == "gt") {
      out += '>';
    } else if (ent == "quot") {
      out += '"';
    } else if (ent == "apos") {
      out += '\'';
    } else if (ent.size() >= 2 && ent[0] == '#') {
      unsigned cp = 0;
      bool ok = true;
      if (ent[1] == 'x' || ent[1] == 'X') {
        for (const char c : ent.substr(2)) {
          const int v = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
          if (v < 0 || cp > 0x10FFFF) {
            ok = false;
            break;
          }
          cp = cp * 16 + static_cast<unsigned>(v);
        }
        ok = ok && ent.size() > 2;
      } else {
        for (const char c : ent.substr(1)) {
          if (!is_digit(c) || cp > 0x10FFFF) {
            ok = false;
            break;
          }
          cp = cp * 10 + static_cast<unsigned>(c - '0');
        }
      }
      if (ok && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        append_utf8(out, cp);
      } else {
        out.append(s.substr(amp, semi - amp + 1));
      }
    } else {
      out.append(s.substr(amp, semi - amp + 1));
    }
    i = semi + 1;
  }
}

class endnote_parser {
 public:
  endnote_parser(std::string_view text, parse_context& ctx) : text_(text), ctx_(ctx) {}

  void run() {
    std::size_t p = 0;
    while (p < text_.size()) {
      const std::size_t lt = text_.find('<', p);
      if (lt == std::string_view::npos) {
        add_text(text_.substr(p));
        break;
      }
      if (lt > p) add_text(text_.substr(p, lt - p));
      count_lines(lt);
      p = markup(lt);
    }
    if (!stack_.empty()) {
      ctx_.warn(stack_.front()->line, "<record> is not closed before the end of the file");
      finish_record();
    }
  }

 private:
  void count_lines(std::size_t pos) {
    for (; line_pos_ < pos; ++line_pos_) {
      if (text_[line_pos_] == '\n') ++line_;
    }
  }

  void add_text(std::string_view raw) {
    if (stack_.empty()) return;
    std::string decoded;
    append_decoded(raw, decoded);
    for (xml_node* n : stack_) n->text += decoded;
  }

  /// Handles the markup at text_[lt] == '<'; returns the position after it.
  std::size_t markup(std::size_t lt) {
    const std::string_view rest = text_.substr(lt);
    if (rest.starts_with("<!--")) {
      const std::size_t e = text_.find("-->", lt + 4);
      return e == std::string_view::npos ? text_.size() : e + 3;
    }
    if (rest.starts_with("<![CDATA[")) {
      const std::size_t e = text_.find("]]>", lt + 9);
      const std::size_t stop = e == std::string_view::npos ? text_.size() : e;
      if (!stack_.empty()) {
        for (xml_node* n : stack_) n->text.append(text_.substr(lt + 9, stop - lt - 9));
      }
      return e == std::string_view::npos ? text_.size() : e + 3;
    }
    if (rest.starts_with("<?") || rest.starts_with("<!")) {
      const std::size_t e = text_.find('>', lt);
      return e == std::string_view::npos ? text_.size() : e + 1;
    }
    const std::size_t gt = find_tag_end(lt);
    if (gt == std::string_view::npos) {
      ctx_.warn(line_, "unterminated tag; the rest of the file is ignored");
      return text_.size();
    }
    std::string_view tag = text_.substr(lt + 1, gt - lt - 1);
    if (tag.starts_with('/')) {
      end_element(trim(tag.substr(1)));
      return gt + 1;
    }
    bool self_closing = false;
    if (tag.ends_with('/')) {
      self_closing = true;
      tag.remove_suffix(1);
    }
    std::size_t name_end = 0;
    while (name_end < tag.size() && !is_space(tag[name_end])) ++name_end;
    const std::string_view name = tag.substr(0, name_end);
    start_element(name, tag.substr(name_end), self_closing);
    return gt + 1;
  }

  /// The '>' that ends the tag at lt, skipping quoted attribute values.
  [[nodiscard]] std::size_t find_tag_end(std::size_t lt) const {
    char quote = 0;
    for (std::size_t i = lt + 1; i < text_.size(); ++i) {
      const char c = text_[i];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        return i;
      } else if (c == '<') {
        return std::string_view::npos;
      }
    }
    return std::string_view::npos;
  }

  static void parse_attributes(std::string_view s, xml_node& node) {
    std::size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && is_space(s[i])) ++i;
      const std::size_t k = i;
      while (i < s.size() && s[i] != '=' && !is_space(s[i])) ++i;
      const std::string_view key = s.substr(k, i - k);
      while (i < s.size() && is_space(s[i])) ++i;
      if (i >= s.size() || s[i] != '=') continue;
      ++i;
      while (i < s.size() && is_space(s[i])) ++i;
      if (i >= s.size()) break;
      std::string value;
      if (s[i] == '"' || s[i] == '\'') {
        const char q = s[i++];
        const std::size_t e = s.find(q, i);
        append_decoded(s.substr(i, (e == std::string_view::npos ? s.size() : e) - i), value);
        i = e == std::string_view::npos ? s.size() : e + 1;
      } else {
        const std::size_t v = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        append_decoded(s.substr(v, i - v), value);
      }
      if (!key.empty()) node.attributes.emplace_back(std::string(key), std::move(value));
    }
  }

  void start_element(std::string_view name, std::string_view attrs, bool self_closing) {
    if (name == "record") {
      if (!stack_.empty()) {
        ctx_.warn(stack_.front()->line, "<record> is not closed before the next <record> (line " +
                                            std::to_string(line_) + ")");
        finish_record();
      }
      root_ = std::make_unique<xml_node>();
      root_->name = "record";
      root_->line = line_;
      parse_attributes(attrs, *root_);
      stack_.push_back(root_.get());
      if (self_closing) finish_record();
      return;
    }
    if (stack_.empty()) return;  // <xml>, <records> and anything outside records
    auto node = std::make_unique<xml_node>();
    node->name = std::string(name);
    node->line = line_;
    parse_attributes(attrs, *node);
    xml_node* raw = node.get();
    stack_.back()->children.push_back(std::move(node));
    if (!self_closing) stack_.push_back(raw);
  }

  void end_element(std::string_view name) {
    if (stack_.empty()) return;
    // Close up to the matching element; an end tag that matches nothing open is ignored.
    for (std::size_t k = stack_.size(); k-- > 0;) {
      if (stack_[k]->name != name) continue;
      if (k + 1 != stack_.size()) {
        ctx_.warn(line_, "</" + std::string(name) + "> closes unclosed <" + stack_.back()->name + ">");
      }
      stack_.resize(k);
      if (k == 0) finish_record();
      return;
    }
    if (name == "records" || name == "xml") {
      ctx_.warn(stack_.front()->line, "<record> is not closed before </" + std::string(name) + "> (line " +
                                          std::to_string(line_) + ")");
      finish_record();
      return;
    }
    ctx_.warn(line_, "</" + std::string(name) + "> without a matching start tag ignored");
  }

  void finish_record() {
    stack_.clear();
    if (!root_) return;
    emit(*root_);
    root_.reset();
  }

  void emit(const xml_node& x) {
    record& r = ctx_.records.emplace_back();
    r.source_line = x.line;
    r.source_id = text_of(x.child("rec-number"));

    if (const xml_node* rt = x.child("ref-type"); rt != nullptr) {
      const std::string_view name = rt->attribute("name");
      if (!name.empty()) {
        r.type = type_from_name(name);
      } else {
        // EndNote's numbers for the common types.
        const std::string num = text_of(rt);
        if (num == "17" || num == "43") r.type = record_type::journal_article;
        if (num == "6" || num == "28") r.type = record_type::book;
        if (num == "5") r.type = record_type::chapter;
        if (num == "10" || num == "47") r.type = record_type::conference_paper;
        if (num == "32") r.type = record_type::thesis;
        if (num == "27" || num == "46") r.type = record_type::report;
      }
    }

    r.title = text_of(x.find("titles/title"));
    if (const xml_node* authors = x.find("contributors/authors"); authors != nullptr) {
      for (const auto& a : authors->children) {
        if (a->name != "author") continue;
        std::string name = clean_author(a->text);
        if (!name.empty()) r.authors.push_back(std::move(name));
      }
    }

    const std::string year = text_of(x.find("dates/year"));
    r.year = parse_year(year);
    if (r.year == 0) r.year = parse_year(text_of(x.find("dates/pub-dates/date")));
    if (r.year == 0 && !year.empty()) ctx_.warn(x.line, "cannot read a year from '<year>" + year + "</year>'");

    for (const char* path : {"periodical/full-title", "titles/secondary-title", "alt-periodical/full-title",
                             "periodical/abbr-1", "titles/alt-title"}) {
      r.journal = text_of(x.find(path));
      if (!r.journal.empty()) break;
    }
    r.volume = text_of(x.child("volume"));
    r.issue = text_of(x.child("number"));
    if (r.issue.empty()) r.issue = text_of(x.child("issue"));
    r.pages = normalise_pages(text_of(x.child("pages")));

    std::vector<std::string> urls;
    for (const char* path : {"urls/related-urls", "urls/web-urls", "urls/pdf-urls"}) {
      if (const xml_node* u = x.find(path); u != nullptr) {
        for (const auto& c : u->children) {
          if (c->name == "url") urls.push_back(clean_text(c->text));
        }
      }
    }
    if (!urls.empty()) r.url = urls.front();
    const std::string doi = text_of(x.child("electronic-resource-num"));
    if (!doi.empty()) {
      r.doi = normalise_doi(doi);
      if (r.doi.empty()) ctx_.warn(x.line, "not a DOI: '" + doi + "'");
    }
    for (std::size_t k = 0; r.doi.empty() && k < urls.size(); ++k) r.doi = doi_from_url(urls[k]);

    const std::string accession = text_of(x.child("accession-num"));
    const std::string provider = text_of(x.child("remote-database-provider")) + " " +
                                 text_of(x.child("remote-database-name"));
    if (all_digits(accession) && accession.size() <= 8) r.pmid = accession;  // Mendeley/EndNote: the PMID
    r.issn = find_issn(text_of(x.child("isbn")));
    r.abstract = text_of(x.child("abstract"));
    if (const xml_node* kws = x.child("keywords"); kws != nullptr) {
      for (const auto& k : kws->children) {
        if (k->name != "keyword") continue;
        // EndNote may put several keywords into one element, separated by line breaks.
        std::vector<std::string> parts;
        std::string flat = k->text;
        for (char& c : flat) {
          if (c == '\r') c = '\n';
        }
        split_into(flat, '\n', parts);
        for (const std::string& p : parts) add_keywords_one(p, r.keywords);
      }
    }
    r.language = text_of(x.child("language"));
    r.database = text_of(x.child("remote-database-name"));
    if (r.database.empty() && icontains(provider, "NLM")) r.database = "PubMed";
  }

  /// One keyword per element (or line), never split; a major-topic star is dropped.
  static void add_keywords_one(std::string_view k, std::vector<std::string>& out) {
    k = trim(k);
    while (!k.empty() && k.front() == '*') k = trim(k.substr(1));
    std::string c = clean_text(k);
    if (!c.empty()) out.push_back(std::move(c));
  }

  std::string_view text_;
  parse_context& ctx_;
  std::unique_ptr<xml_node> root_;
  std::vector<xml_node*> stack_;
  std::size_t line_ = 1;
  std::size_t line_pos_ = 0;
};

}  // namespace

void parse_endnote_xml(std::string_view text, parse_context& ctx) { endnote_parser(text, ctx).run(); }

}  // namespace metasift::review::detail
