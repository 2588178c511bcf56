// EndNote XML (written by EndNote, Zotero, Mendeley): <xml><records><record>...</record>...
//
// Read with libxml2's SAX2 push parser (Debian's libxml2-dev), never a DOM: each <record> is kept
// as a flat arena of elements whose text is a range of one per-record buffer (the text of an
// element is the text of all its descendants, so EndNote's <style face="..."> wrappers, which may
// split a title into several runs, disappear). Memory is linear in the record and nothing is
// destroyed recursively, however deep the nesting.
//
// Safety: no DTD is loaded, no entity declaration is kept and no entity is substituted (the SAX
// handler has no entityDecl/getEntity), the network is off (XML_PARSE_NONET): an external entity
// such as <!ENTITY x SYSTEM "file:///etc/passwd"> is never read, and a "billion laughs" never
// expands. Element nesting is capped (limits::xml_max_depth).
//
// Errors: a mismatched end tag or a record left open is recovered (libxml2's recovery closes the
// innermost element) with a located warning, as before. Any error that would make the parser skip
// text -- an unclosed comment, CDATA section or tag, content after the root -- is a file:line:col
// input error: a record is never lost silently.

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "import_internal.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/limits.hpp"
#include "xml_sax.hpp"

namespace metasift::review::detail {
namespace {

/// One element of a record: children are indexes into the record's arena.
struct xml_node {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::size_t> children;
  std::size_t text_begin = 0, text_end = 0;  ///< range of record_tree::text
  std::size_t line = 0;
};

struct record_tree {
  std::vector<xml_node> nodes;  ///< nodes[0] is the <record>
  std::string text;             ///< all text of the record, in document order

  [[nodiscard]] const xml_node* child(const xml_node* n, std::string_view name) const {
    if (n == nullptr) return nullptr;
    for (const std::size_t c : n->children) {
      if (nodes[c].name == name) return &nodes[c];
    }
    return nullptr;
  }
  /// Descendant by a '/'-separated path of element names.
  [[nodiscard]] const xml_node* find(const xml_node* n, std::string_view path) const {
    while (n != nullptr && !path.empty()) {
      const std::size_t slash = path.find('/');
      n = child(n, path.substr(0, slash));
      path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    }
    return n;
  }
  [[nodiscard]] std::string_view raw(const xml_node* n) const {
    return n != nullptr ? std::string_view(text).substr(n->text_begin, n->text_end - n->text_begin)
                        : std::string_view{};
  }
  [[nodiscard]] std::string text_of(const xml_node* n) const { return clean_text(raw(n)); }
  [[nodiscard]] static std::string_view attribute(const xml_node* n, std::string_view name) {
    if (n == nullptr) return {};
    for (const auto& [k, v] : n->attributes) {
      if (k == name) return v;
    }
    return {};
  }
};

std::string_view sv(const xmlChar* s) {
  return s != nullptr ? std::string_view(reinterpret_cast<const char*>(s)) : "";
}

class endnote_parser {
 public:
  endnote_parser(std::string_view text, parse_context& ctx, bool pubmed)
      : text_(text), ctx_(ctx), pubmed_(pubmed), what_(pubmed ? "PubMed XML" : "EndNote XML") {}

  void run() {
    xmlSAXHandler sax = detail::quiet_sax2(&on_start, &on_end, &on_text, &on_error);
    std::string_view body = text_;
    if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
    // The importer already decoded the bytes to UTF-8: a declared encoding must not re-decode them.
    detail::sax_push_parse(sax, this, body, ctx_.file.c_str(),
                           XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_NOWARNING, true,
                           ctxt_, stopped_);
    if (failure_) std::rethrow_exception(failure_);
    if (open_record_) {
      ctx_.warn(tree_.nodes.front().line,
                "<" + tree_.nodes.front().name + "> is not closed before the end of the file");
      finish_record();
    }
  }

 private:
  [[nodiscard]] std::size_t line() const {
    return ctxt_ != nullptr && ctxt_->input != nullptr ? static_cast<std::size_t>(std::max(ctxt_->input->line, 1)) : 0;
  }
  [[nodiscard]] std::size_t column() const {
    return ctxt_ != nullptr && ctxt_->input != nullptr ? static_cast<std::size_t>(std::max(ctxt_->input->col, 1)) : 0;
  }

  /// Stops the parser with an input error, raised once control is back in C++.
  void stop(source_position where, const std::string& message) {
    if (!failure_) {
      try {
        fail_input(where, "", message);
      } catch (...) {
        failure_ = std::current_exception();
      }
    }
    stopped_ = true;
    xmlStopParser(ctxt_);
  }

  // SAX callbacks: C code calls them, so nothing may escape.
  static void on_start(void* self, const xmlChar* localname, const xmlChar* /*prefix*/, const xmlChar* /*uri*/,
                       int /*nb_namespaces*/, const xmlChar** /*namespaces*/, int nb_attributes, int /*nb_defaulted*/,
                       const xmlChar** attributes) {
    auto* p = static_cast<endnote_parser*>(self);
    try {
      p->start_element(sv(localname), nb_attributes, attributes);
    } catch (...) {
      p->failure_ = std::current_exception();
      p->stopped_ = true;
      xmlStopParser(p->ctxt_);
    }
  }
  static void on_end(void* self, const xmlChar* /*localname*/, const xmlChar* /*prefix*/, const xmlChar* /*uri*/) {
    auto* p = static_cast<endnote_parser*>(self);
    try {
      p->end_element();
    } catch (...) {
      p->failure_ = std::current_exception();
      p->stopped_ = true;
      xmlStopParser(p->ctxt_);
    }
  }
  static void on_text(void* self, const xmlChar* ch, int len) {
    auto* p = static_cast<endnote_parser*>(self);
    try {
      p->add_text(std::string_view(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(std::max(len, 0))));
    } catch (...) {
      p->failure_ = std::current_exception();
      p->stopped_ = true;
      xmlStopParser(p->ctxt_);
    }
  }
  static void on_error(void* self, xmlErrorPtr e) {
    auto* p = static_cast<endnote_parser*>(self);
    try {
      p->error(*e);
    } catch (...) {
      p->failure_ = std::current_exception();
      p->stopped_ = true;
      xmlStopParser(p->ctxt_);
    }
  }

  void error(const xmlError& e) {
    if (stopped_ || e.level == XML_ERR_WARNING) return;
    std::string msg = e.message != nullptr ? e.message : "malformed XML";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    const auto eline = static_cast<std::size_t>(std::max(e.line, 0));
    switch (e.code) {
      case XML_ERR_TAG_NAME_MISMATCH: {
        // Recovered by closing the innermost element; said once per record, at the record.
        if (!open_record_ || warned_record_) return;
        warned_record_ = true;
        const std::string open = e.str1 != nullptr ? e.str1 : "";
        const std::string written = e.str2 != nullptr ? e.str2 : "";
        if (open == tree_.nodes.front().name) {
          ctx_.warn(tree_.nodes.front().line,
                    "<" + open + "> is not closed before </" + written + "> (line " + std::to_string(eline) + ")");
        } else {
          ctx_.warn(eline, "</" + written + "> does not close <" + open + ">; read as closing it");
        }
        return;
      }
      case XML_ERR_TAG_NOT_FINISHED:  // "Premature end of data": elements still open at the end
        return;                       // the open record (if any) is reported by run()
      case XML_ERR_DOCUMENT_END:
        // After recovered mismatches the push parser may count the root as closed early and say
        // "extra content" for its own end tag; only another element after that point loses data.
        if (!element_after(eline, static_cast<std::size_t>(std::max(e.int2, 1)))) return;
        break;
      case XML_ERR_UNDECLARED_ENTITY:
      case XML_WAR_UNDECLARED_ENTITY:
        // Only the five predefined entities and character references are read; any other one
        // (external or internal) is dropped on purpose.
        ctx_.warn(eline, msg + " (entities other than &amp; &lt; &gt; &quot; &apos; are not expanded)");
        return;
      default: break;
    }
    stop(source_position{ctx_.file, eline, static_cast<std::size_t>(std::max(e.int2, 0))},
         "malformed " + what_ + ": " + msg);
  }

  /// True when an element starts at or after line:col (col in characters) of the text.
  [[nodiscard]] bool element_after(std::size_t line_no, std::size_t col) const {
    std::size_t p = 0;
    for (std::size_t l = 1; l < line_no && p < text_.size(); ++l) {
      const std::size_t nl = text_.find('\n', p);
      p = nl == std::string_view::npos ? text_.size() : nl + 1;
    }
    for (std::size_t c = 1; c < col && p < text_.size(); ++c) {
      ++p;
      while (p < text_.size() && (static_cast<unsigned char>(text_[p]) & 0xC0U) == 0x80U) ++p;
    }
    for (std::size_t lt = text_.find('<', p); lt != std::string_view::npos; lt = text_.find('<', lt + 1)) {
      if (lt + 1 < text_.size() && is_alpha(text_[lt + 1])) return true;
    }
    return false;
  }

  void start_element(std::string_view name, int nb_attributes, const xmlChar** attributes) {
    ++depth_;
    if (depth_ > limits::xml_max_depth) {
      stop(source_position{ctx_.file, line(), column()},
           "elements nest deeper than the limit xml_max_depth (" + std::to_string(limits::xml_max_depth) + ")");
      return;
    }
    if (is_record_element(name)) {
      if (open_record_) {
        ctx_.warn(tree_.nodes.front().line, "<" + tree_.nodes.front().name + "> is not closed before the next <" +
                                                std::string(name) + "> (line " + std::to_string(line()) + ")");
        finish_record();
      }
      open_record_ = true;
      warned_record_ = false;
      tree_ = record_tree{};
    } else if (!open_record_) {
      return;  // <xml>, <records> and anything outside records
    }
    xml_node node;
    node.name = std::string(name);
    node.line = line();
    node.text_begin = node.text_end = tree_.text.size();
    for (int i = 0; i < nb_attributes; ++i) {
      const xmlChar* const* a = attributes + 5 * i;  // localname, prefix, URI, value, value end
      node.attributes.emplace_back(std::string(sv(a[0])), std::string(reinterpret_cast<const char*>(a[3]),
                                                                      static_cast<std::size_t>(a[4] - a[3])));
    }
    const std::size_t index = tree_.nodes.size();
    if (!stack_.empty()) tree_.nodes[stack_.back()].children.push_back(index);
    tree_.nodes.push_back(std::move(node));
    stack_.push_back(index);
  }

  void end_element() {
    if (depth_ > 0) --depth_;
    if (!open_record_ || stack_.empty()) return;
    tree_.nodes[stack_.back()].text_end = tree_.text.size();
    stack_.pop_back();
    if (stack_.empty()) finish_record();
  }

  void add_text(std::string_view t) {
    if (!open_record_) return;
    if (tree_.text.size() + t.size() > limits::record_max_field_bytes * 8) {
      stop(source_position{ctx_.file, line(), column()},
           "the record starting on line " + std::to_string(tree_.nodes.front().line) +
               " holds more text than 8 x the limit record_max_field_bytes (" +
               std::to_string(limits::record_max_field_bytes) + " bytes)");
      return;
    }
    tree_.text.append(t);
  }

  /// EndNote's <record>; PubMed's <PubmedArticle> and <PubmedBookArticle> (a <DeleteCitation>
  /// or a <ReferenceList> PMID is never a record).
  [[nodiscard]] bool is_record_element(std::string_view name) const {
    if (!pubmed_) return name == "record";
    return name == "PubmedArticle" || name == "PubmedBookArticle";
  }

  void finish_record() {
    for (const std::size_t i : stack_) tree_.nodes[i].text_end = tree_.text.size();
    stack_.clear();
    open_record_ = false;
    if (pubmed_) {
      emit_pubmed(tree_);
    } else {
      emit(tree_);
    }
    tree_ = record_tree{};
  }

  void emit(const record_tree& t) {
    const xml_node* const x = &t.nodes.front();
    record& r = ctx_.records.emplace_back();
    r.source_line = x->line;
    r.source_id = t.text_of(t.child(x, "rec-number"));

    if (const xml_node* rt = t.child(x, "ref-type"); rt != nullptr) {
      const std::string_view name = record_tree::attribute(rt, "name");
      if (!name.empty()) {
        r.type = type_from_name(name);
      } else {
        // EndNote's numbers for the common types.
        const std::string num = t.text_of(rt);
        if (num == "17" || num == "43") r.type = record_type::journal_article;
        if (num == "6" || num == "28") r.type = record_type::book;
        if (num == "5") r.type = record_type::chapter;
        if (num == "10" || num == "47") r.type = record_type::conference_paper;
        if (num == "32") r.type = record_type::thesis;
        if (num == "27" || num == "46") r.type = record_type::report;
      }
    }

    r.title = t.text_of(t.find(x, "titles/title"));
    if (const xml_node* authors = t.find(x, "contributors/authors"); authors != nullptr) {
      for (const std::size_t ai : authors->children) {
        const xml_node* a = &t.nodes[ai];
        if (a->name != "author") continue;
        std::string name = clean_author(t.raw(a));
        if (!name.empty()) r.authors.push_back(std::move(name));
      }
    }

    const std::string year = t.text_of(t.find(x, "dates/year"));
    r.year = parse_year(year);
    if (r.year == 0) r.year = parse_year(t.text_of(t.find(x, "dates/pub-dates/date")));
    if (r.year == 0 && !year.empty()) ctx_.warn(x->line, "cannot read a year from '<year>" + year + "</year>'");

    for (const char* path : {"periodical/full-title", "titles/secondary-title", "alt-periodical/full-title",
                             "periodical/abbr-1", "titles/alt-title"}) {
      r.journal = t.text_of(t.find(x, path));
      if (!r.journal.empty()) break;
    }
    r.volume = t.text_of(t.child(x, "volume"));
    r.issue = t.text_of(t.child(x, "number"));
    if (r.issue.empty()) r.issue = t.text_of(t.child(x, "issue"));
    r.pages = normalise_pages(t.text_of(t.child(x, "pages")));

    std::vector<std::string> urls;
    for (const char* path : {"urls/related-urls", "urls/web-urls", "urls/pdf-urls"}) {
      if (const xml_node* u = t.find(x, path); u != nullptr) {
        for (const std::size_t ci : u->children) {
          if (t.nodes[ci].name == "url") urls.push_back(clean_text(t.raw(&t.nodes[ci])));
        }
      }
    }
    if (!urls.empty()) r.url = urls.front();
    const std::string doi = t.text_of(t.child(x, "electronic-resource-num"));
    if (!doi.empty()) {
      r.doi = normalise_doi(doi);
      if (r.doi.empty()) ctx_.warn(x->line, "not a DOI: '" + doi + "'");
    }
    for (std::size_t k = 0; r.doi.empty() && k < urls.size(); ++k) r.doi = doi_from_url(urls[k]);

    const std::string accession = t.text_of(t.child(x, "accession-num"));
    const std::string provider =
        t.text_of(t.child(x, "remote-database-provider")) + " " + t.text_of(t.child(x, "remote-database-name"));
    if (all_digits(accession) && accession.size() <= 8) r.pmid = accession;  // Mendeley/EndNote: the PMID
    r.issn = find_issn(t.text_of(t.child(x, "isbn")));
    r.abstract = t.text_of(t.child(x, "abstract"));
    if (const xml_node* kws = t.child(x, "keywords"); kws != nullptr) {
      for (const std::size_t ki : kws->children) {
        const xml_node* k = &t.nodes[ki];
        if (k->name != "keyword") continue;
        // EndNote may put several keywords into one element, separated by line breaks.
        std::vector<std::string> parts;
        std::string flat(t.raw(k));
        for (char& c : flat) {
          if (c == '\r') c = '\n';
        }
        split_into(flat, '\n', parts);
        for (const std::string& p : parts) add_keywords_one(p, r.keywords);
      }
    }
    r.language = t.text_of(t.child(x, "language"));
    r.database = t.text_of(t.child(x, "remote-database-name"));
    if (r.database.empty() && icontains(provider, "NLM")) r.database = "PubMed";
  }

  /// A PubMed efetch record (PubMed DTD: MedlineCitation/Article for journal articles,
  /// BookDocument for books and chapters; PubmedData/ArticleIdList for the DOI).
  void emit_pubmed(const record_tree& t) {
    const xml_node* const x = &t.nodes.front();
    record& r = ctx_.records.emplace_back();
    r.source_line = x->line;
    r.database = "PubMed";
    const xml_node* const mc = t.child(x, "MedlineCitation");
    const xml_node* const book = t.child(x, "BookDocument");
    const xml_node* const base = mc != nullptr ? mc : book;
    r.pmid = t.text_of(t.child(base, "PMID"));
    r.source_id = r.pmid;
    const xml_node* const article = t.child(mc, "Article");
    const xml_node* const item = article != nullptr ? article : book;
    r.title = t.text_of(t.child(item, "ArticleTitle"));
    if (book != nullptr && r.title.empty()) r.title = t.text_of(t.find(book, "Book/BookTitle"));
    if (r.title.empty()) r.title = t.text_of(t.child(item, "VernacularTitle"));
    if (const xml_node* list = t.child(item, "AuthorList"); list != nullptr) {
      for (const std::size_t ai : list->children) {
        const xml_node* a = &t.nodes[ai];
        if (a->name != "Author") continue;
        std::string name = t.text_of(t.child(a, "CollectiveName"));
        if (name.empty()) {
          name = t.text_of(t.child(a, "LastName"));
          std::string given = t.text_of(t.child(a, "ForeName"));
          if (given.empty()) given = t.text_of(t.child(a, "Initials"));
          if (!given.empty()) name += ", " + given;
        }
        if (!name.empty()) r.authors.push_back(std::move(name));
      }
    }
    const xml_node* const journal = t.child(article, "Journal");
    const xml_node* const ji = t.child(journal, "JournalIssue");
    r.journal = t.text_of(t.child(journal, "Title"));
    if (book != nullptr && r.journal.empty() && !t.text_of(t.child(book, "ArticleTitle")).empty()) {
      r.journal = t.text_of(t.find(book, "Book/BookTitle"));  // a chapter's book
    }
    r.volume = t.text_of(t.child(ji, "Volume"));
    r.issue = t.text_of(t.child(ji, "Issue"));
    const xml_node* pub_date = t.child(ji, "PubDate");
    if (pub_date == nullptr) pub_date = t.find(book, "Book/PubDate");
    std::string year = t.text_of(t.child(pub_date, "Year"));
    if (year.empty()) year = t.text_of(t.child(pub_date, "MedlineDate"));
    r.year = parse_year(year);
    if (r.year == 0) r.year = parse_year(t.text_of(t.find(article, "ArticleDate/Year")));
    if (r.year == 0 && !year.empty()) ctx_.warn(x->line, "cannot read a year from the PubDate '" + year + "'");
    std::string pages = t.text_of(t.find(article, "Pagination/MedlinePgn"));
    if (pages.empty()) {
      pages = make_pages(t.text_of(t.find(article, "Pagination/StartPage")),
                         t.text_of(t.find(article, "Pagination/EndPage")));
    }
    r.pages = normalise_pages(pages);
    r.issn = find_issn(t.text_of(t.child(journal, "ISSN")));
    if (item != nullptr) {
      for (const std::size_t ci : item->children) {
        const xml_node* e = &t.nodes[ci];
        if (e->name == "ELocationID" && record_tree::attribute(e, "EIdType") == "doi") {
          r.doi = normalise_doi(t.text_of(e));
          if (!r.doi.empty()) break;
        }
      }
    }
    if (r.doi.empty()) {
      // PubmedData's own ids only (a ReferenceList's ArticleIds belong to the cited works).
      if (const xml_node* ids = t.find(x, "PubmedData/ArticleIdList"); ids != nullptr) {
        for (const std::size_t ci : ids->children) {
          const xml_node* e = &t.nodes[ci];
          if (e->name == "ArticleId" && record_tree::attribute(e, "IdType") == "doi") {
            r.doi = normalise_doi(t.text_of(e));
            if (!r.doi.empty()) break;
          }
        }
      }
    }
    if (const xml_node* abs = t.child(item, "Abstract"); abs != nullptr) {
      for (const std::size_t ci : abs->children) {
        const xml_node* e = &t.nodes[ci];
        if (e->name != "AbstractText") continue;
        const std::string_view label = record_tree::attribute(e, "Label");
        std::string part = t.text_of(e);
        if (!label.empty()) part = std::string(label) + ": " + part;
        append_text(r.abstract, part);
      }
    }
    r.language = t.text_of(t.child(item, "Language"));
    bool review = false;
    bool journal_article = false;
    if (const xml_node* types = t.child(item, "PublicationTypeList"); types != nullptr) {
      for (const std::size_t ci : types->children) {
        const std::string pt = t.text_of(&t.nodes[ci]);
        review = review || pt == "Review" || pt == "Systematic Review";
        journal_article = journal_article || pt == "Journal Article";
      }
    }
    r.type = review                                  ? record_type::review
             : journal_article || article != nullptr ? record_type::journal_article
             : book != nullptr ? (t.child(book, "ArticleTitle") != nullptr ? record_type::chapter : record_type::book)
                               : record_type::other;
    if (const xml_node* kws = t.child(base, "KeywordList"); kws != nullptr) {
      for (const std::size_t ki : kws->children) {
        if (t.nodes[ki].name == "Keyword") add_keywords_one(t.raw(&t.nodes[ki]), r.keywords);
      }
    }
    if (!r.pmid.empty()) r.url = "https://pubmed.ncbi.nlm.nih.gov/" + r.pmid + "/";
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
  bool pubmed_ = false;
  std::string what_;
  xmlParserCtxtPtr ctxt_ = nullptr;
  record_tree tree_;
  std::vector<std::size_t> stack_;  ///< open elements of the record (arena indexes)
  bool open_record_ = false;
  bool warned_record_ = false;
  std::size_t depth_ = 0;  ///< element nesting in the whole document
  bool stopped_ = false;
  std::exception_ptr failure_;
};

}  // namespace

void parse_endnote_xml(std::string_view text, parse_context& ctx) {
  endnote_parser(text, ctx, false).run();
}

void parse_pubmed_xml(std::string_view text, parse_context& ctx) {
  endnote_parser(text, ctx, true).run();
}

}  // namespace metasift::review::detail
