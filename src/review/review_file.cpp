// review.toml through toml++ (Debian's libtomlplusplus-dev). Every error names file:line:column.
#include "metasift/review/review_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "metasift/core/check.hpp"
#include "metasift/core/limits.hpp"
#include "metasift/io/file.hpp"
#include "metasift/review/dedup_normalize.hpp"

namespace metasift::review {
namespace {

namespace fs = std::filesystem;

/// Concatenation without operator+ on temporaries (GCC 12 -Wrestrict false positives).
template <class... P>
std::string cat(const P&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

class reader {
 public:
  reader(std::string_view text, const fs::path& path, bool allow_outside)
      : text_(text), label_(path.string()), allow_outside_(allow_outside) {
    line_start_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_start_.push_back(i + 1);
    }
  }

  [[nodiscard]] source_position at(const toml::source_region& r) const {
    return {label_, static_cast<std::size_t>(r.begin.line), static_cast<std::size_t>(r.begin.column)};
  }
  [[nodiscard]] source_position at(const toml::node& n) const { return at(n.source()); }

  [[noreturn]] void fail(const source_position& where, std::string_view message) const {
    fail_input(where, "", message);
  }

  /// Position of the first character inside a string value (after its opening quotes).
  [[nodiscard]] source_position content_at(const toml::node& n) const {
    source_position p = at(n);
    if (p.line == 0 || p.line > line_start_.size()) return p;
    std::size_t b = line_start_[p.line - 1];
    for (std::size_t col = 1; col < p.column && b < text_.size(); ++col) {  // columns count code points
      ++b;
      while (b < text_.size() && (static_cast<unsigned char>(text_[b]) & 0xC0U) == 0x80U) ++b;
    }
    const std::string_view rest = text_.substr(std::min(b, text_.size()));
    if (rest.substr(0, 3) == "\"\"\"" || rest.substr(0, 3) == "'''") {
      if (rest.size() > 3 && (rest[3] == '\n' || rest[3] == '\r')) {
        ++p.line;
        p.column = 1;
      } else {
        p.column += 3;
      }
    } else {
      p.column += 1;
    }
    return p;
  }

  void check_keys(const toml::table& t, std::initializer_list<std::string_view> allowed, std::string_view where) const {
    for (auto&& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end()) {
        std::string list;
        for (const auto a : allowed) {
          if (!list.empty()) list += ", ";
          list += a;
        }
        fail(at(k.source()), cat("unknown key '", k.str(), "' in ", where, " (expected ", list, ")"));
      }
    }
  }

  [[nodiscard]] std::string string_of(const toml::node& n, std::string_view key) const {
    const auto v = n.value<std::string>();
    if (!n.is_string() || !v) fail(at(n), cat("'", key, "' must be a string"));
    if (v->size() > limits::review_toml_max_string_bytes) {
      fail(at(n), cat("'", key, "' is longer than the limit review_toml_max_string_bytes (",
                      std::to_string(limits::review_toml_max_string_bytes), " bytes)"));
    }
    return *v;
  }

  [[nodiscard]] std::vector<std::pair<std::string, const toml::node*>> strings_of(const toml::node& n,
                                                                                  std::string_view key) const {
    const toml::array* a = n.as_array();
    if (a == nullptr) fail(at(n), cat("'", key, "' must be an array of strings"));
    std::vector<std::pair<std::string, const toml::node*>> out;
    for (auto&& el : *a) out.emplace_back(string_of(el, key), &el);
    return out;
  }

  /// weakly_canonical, with a filesystem failure (a symlink loop, a name too long) as an input
  /// error at the path's position instead of an escaping filesystem_error.
  [[nodiscard]] fs::path canonical_at(const fs::path& p, const std::string& rel, const source_position& where) const {
    std::error_code ec;
    fs::path full = fs::weakly_canonical(fs::absolute(p, ec), ec);
    if (ec) fail(where, cat("cannot resolve path '", rel, "': ", ec.message()));
    return full;
  }

  [[nodiscard]] fs::path resolve_inside(const fs::path& dir, const std::string& rel,
                                        const source_position& where) const {
    const fs::path p(rel);
    if (rel.empty()) fail(where, "empty path");
    if (allow_outside_) return canonical_at(dir / p, rel, where);  // metasift run --allow-outside
    if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) {
      fail(where, "path '" + rel + "' must be relative to the review file's folder");
    }
    const fs::path base = canonical_at(dir, dir.string(), where);
    const fs::path full = canonical_at(dir / p, rel, where);
    auto b = base.begin();
    auto f = full.begin();
    for (; b != base.end(); ++b, ++f) {
      if (b->empty()) continue;  // trailing separator
      if (f == full.end() || *b != *f) fail(where, "path '" + rel + "' escapes the review folder");
    }
    return full;
  }

  [[nodiscard]] const std::string& label() const noexcept { return label_; }

 private:
  std::string_view text_;
  std::string label_;
  std::vector<std::size_t> line_start_;
  bool allow_outside_ = false;
};

query_dialect dialect_of(const reader& rd, const toml::node& n) {
  const std::string d = rd.string_of(n, "dialect");
  const auto parsed = parse_dialect(d);
  if (!parsed) rd.fail(rd.at(n), "unknown dialect '" + d + "' (expected generic, pubmed, scopus or wos)");
  return *parsed;
}

source_kind kind_of(const reader& rd, const toml::node& n) {
  const std::string k = rd.string_of(n, "kind");
  for (const auto v : {source_kind::database, source_kind::study_register, source_kind::website,
                       source_kind::organisation, source_kind::citation}) {
    if (k == to_string(v)) return v;
  }
  rd.fail(rd.at(n), "unknown kind '" + k + "' (expected database, register, website, organisation or citation)");
}

/// Reviewer names become audit and conflicts column names: letters, digits, '_' and '-' only.
bool valid_reviewer_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

/// `import = [{ tool = "rayyan", file = "..." }, ...]`: exports of other screening tools.
void read_imports(const reader& rd, const toml::node& n, review_spec& spec) {
  const toml::array* arr = n.as_array();
  if (arr == nullptr) {
    rd.fail(rd.at(n), "'import' must be a list: import = [{ tool = \"rayyan\", file = \"rayyan.ris\" }]");
  }
  if (spec.decisions) {
    rd.fail(rd.at(n), "'import' names reviewers: use it with 'reviewers = { ... }' or alone, not with 'decisions'");
  }
  for (auto&& el : *arr) {
    const toml::table* t = el.as_table();
    if (t == nullptr) rd.fail(rd.at(el), "each import must be a table: { tool = \"rayyan\", file = \"rayyan.ris\" }");
    rd.check_keys(*t, {"tool", "file", "stage", "reviewer", "list", "maybe", "reviewers"}, "an import");
    decision_import im;
    im.where = rd.at(el);
    const toml::node* tool = t->get("tool");
    const toml::node* file = t->get("file");
    if (tool == nullptr) rd.fail(im.where, "an import needs 'tool' (rayyan, asreview or covidence)");
    if (file == nullptr) rd.fail(im.where, "an import needs 'file' (the tool's export)");
    const std::string tn = rd.string_of(*tool, "tool");
    if (tn == "rayyan") {
      im.tool = decision_tool::rayyan;
    } else if (tn == "asreview") {
      im.tool = decision_tool::asreview;
    } else if (tn == "covidence") {
      im.tool = decision_tool::covidence;
    } else {
      rd.fail(rd.at(*tool), "unknown tool '" + tn + "' (expected rayyan, asreview or covidence)");
    }
    im.label = rd.string_of(*file, "file");
    im.path = rd.resolve_inside(spec.dir, im.label, rd.at(*file));
    im.stage = "title-abstract";
    if (const toml::node* s = t->get("stage")) {
      im.stage = rd.string_of(*s, "stage");
      if (im.stage != "title-abstract" && im.stage != "full-text") {
        rd.fail(rd.at(*s), "stage must be title-abstract or full-text, got '" + im.stage + "'");
      }
      if (im.tool != decision_tool::rayyan) {
        rd.fail(rd.at(*s), std::string("stage is set only for Rayyan (") + to_string(im.tool) +
                               (im.tool == decision_tool::asreview ? " decisions are title-abstract)"
                                                                   : " takes the stage from 'list')"));
      }
    }
    if (const toml::node* r = t->get("reviewer")) {
      if (im.tool == decision_tool::rayyan) {
        rd.fail(rd.at(*r), "a Rayyan export names its reviewers; rename them with reviewers = { \"name\" = \"new\" }");
      }
      im.reviewer = rd.string_of(*r, "reviewer");
      if (!valid_reviewer_name(im.reviewer)) {
        rd.fail(rd.at(*r), "reviewer name '" + im.reviewer + "' may hold only letters, digits, '_' and '-'");
      }
    } else if (im.tool != decision_tool::rayyan) {
      im.reviewer = tn;
    }
    if (const toml::node* l = t->get("list")) {
      if (im.tool != decision_tool::covidence) rd.fail(rd.at(*l), "'list' is used only with tool = \"covidence\"");
      im.list = rd.string_of(*l, "list");
      if (im.list != "irrelevant" && im.list != "full-text-review" && im.list != "excluded" && im.list != "included") {
        rd.fail(rd.at(*l), "unknown Covidence list '" + im.list +
                               "' (expected irrelevant, full-text-review, excluded or included)");
      }
    } else if (im.tool == decision_tool::covidence) {
      rd.fail(im.where,
              "a Covidence import needs 'list': the list it was exported from (irrelevant, full-text-review, "
              "excluded or included)");
    }
    if (const toml::node* m = t->get("maybe")) {
      if (im.tool != decision_tool::rayyan) rd.fail(rd.at(*m), "'maybe' is used only with tool = \"rayyan\"");
      im.maybe = rd.string_of(*m, "maybe");
      if (im.maybe != "include" && im.maybe != "undecided") {
        rd.fail(rd.at(*m), "maybe must be include or undecided, got '" + im.maybe + "'");
      }
    }
    if (const toml::node* r = t->get("reviewers")) {
      if (im.tool != decision_tool::rayyan) {
        rd.fail(rd.at(*r), "'reviewers' renames a Rayyan export's reviewers; use 'reviewer' for this tool");
      }
      const toml::table* rt = r->as_table();
      if (rt == nullptr) rd.fail(rd.at(*r), "'reviewers' must be a table: reviewers = { \"name\" = \"new\" }");
      for (auto&& [k, v] : *rt) {
        const std::string to = rd.string_of(v, k.str());
        if (!valid_reviewer_name(to)) {
          rd.fail(rd.at(v), "reviewer name '" + to + "' may hold only letters, digits, '_' and '-'");
        }
        im.rename.emplace_back(std::string(k.str()), to);
      }
    }
    spec.screening.imports.push_back(std::move(im));
  }
}

void read_screening(const reader& rd, const toml::node& sn, review_spec& spec) {
  const toml::table* st = sn.as_table();
  if (st == nullptr) rd.fail(rd.at(sn), "'screening' must be a table ([screening])");
  rd.check_keys(*st, {"decisions", "mode", "reviewers", "adjudication", "sample", "seed", "import"}, "[screening]");
  screening_spec& sc = spec.screening;
  sc.mode_where = rd.at(sn);
  if (const toml::node* m = st->get("mode")) {
    const std::string v = rd.string_of(*m, "mode");
    sc.mode_where = rd.at(*m);
    if (v == "single") {
      sc.mode = screening_mode::single;
    } else if (v == "dual") {
      sc.mode = screening_mode::dual;
    } else if (v == "dual-sample") {
      sc.mode = screening_mode::dual_sample;
    } else {
      rd.fail(rd.at(*m), "unknown mode '" + v + "' (expected single, dual or dual-sample)");
    }
  }
  if (const toml::node* d = st->get("decisions")) {
    spec.decisions_label = rd.string_of(*d, "decisions");
    spec.decisions_where = rd.at(*d);
    spec.decisions = rd.resolve_inside(spec.dir, spec.decisions_label, spec.decisions_where);
    sc.reviewers.push_back({"", spec.decisions_label, *spec.decisions, spec.decisions_where});
  }
  if (const toml::node* r = st->get("reviewers")) {
    const toml::table* rt = r->as_table();
    if (rt == nullptr) rd.fail(rd.at(*r), "'reviewers' must be a table: reviewers = { name = \"file.csv\", ... }");
    if (spec.decisions) {
      rd.fail(rd.at(*r), "give either 'decisions' (one reviewer) or 'reviewers', not both");
    }
    // toml++ keeps keys sorted; the order written in review.toml decides whose reason counts first.
    std::vector<std::pair<source_position, decision_file>> found;
    for (auto&& [k, v] : *rt) {
      const std::string name(k.str());
      if (!valid_reviewer_name(name)) {
        rd.fail(rd.at(k.source()), "reviewer name '" + name + "' may hold only letters, digits, '_' and '-'");
      }
      decision_file f;
      f.name = name;
      f.label = rd.string_of(v, name);
      f.where = rd.at(v);
      f.path = rd.resolve_inside(spec.dir, f.label, f.where);
      found.emplace_back(rd.at(k.source()), std::move(f));
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
    });
    for (auto& [pos, f] : found) sc.reviewers.push_back(std::move(f));
    if (sc.reviewers.empty()) rd.fail(rd.at(*r), "'reviewers' names no reviewer");
  }
  if (const toml::node* a = st->get("adjudication")) {
    decision_file f;
    f.name = "adjudication";
    f.label = rd.string_of(*a, "adjudication");
    f.where = rd.at(*a);
    f.path = rd.resolve_inside(spec.dir, f.label, f.where);
    sc.adjudication = std::move(f);
  }
  if (const toml::node* s = st->get("sample")) {
    const auto v = s->value<double>();
    if (!v || !(*v > 0 && *v <= 1)) rd.fail(rd.at(*s), "sample must be a share in (0, 1], e.g. 0.2");
    if (sc.mode != screening_mode::dual_sample) rd.fail(rd.at(*s), "sample is used only with mode = \"dual-sample\"");
    sc.sample = *v;
  }
  if (const toml::node* s = st->get("seed")) {
    const auto v = s->value<std::int64_t>();
    if (!s->is_integer() || !v || *v < 0) rd.fail(rd.at(*s), "seed must be a whole number >= 0");
    if (sc.mode != screening_mode::dual_sample) rd.fail(rd.at(*s), "seed is used only with mode = \"dual-sample\"");
    sc.seed = static_cast<std::uint64_t>(*v);
  }
  if (const toml::node* im = st->get("import")) read_imports(rd, *im, spec);
  // Imports name their reviewers only inside the exports: the screening checks the count then.
  if (sc.imports.empty() && sc.mode != screening_mode::single && sc.reviewers.size() < 2) {
    rd.fail(sc.mode_where, std::string("mode = \"") + to_string(sc.mode) +
                               "\" needs two reviewers: reviewers = { a = \"a.csv\", b = \"b.csv\" }");
  }
  if (sc.imports.empty() && sc.adjudication && sc.reviewers.size() < 2) {
    rd.fail(sc.adjudication->where, "an adjudication file needs two or more reviewers to adjudicate between");
  }
}

}  // namespace

const char* to_string(source_kind k) noexcept {
  switch (k) {
    case source_kind::database: return "database";
    case source_kind::study_register: return "register";
    case source_kind::website: return "website";
    case source_kind::organisation: return "organisation";
    case source_kind::citation: return "citation";
  }
  return "database";
}

const char* to_string(decision_tool t) noexcept {
  switch (t) {
    case decision_tool::rayyan: return "rayyan";
    case decision_tool::asreview: return "asreview";
    case decision_tool::covidence: return "covidence";
  }
  return "rayyan";
}

const char* to_string(screening_mode m) noexcept {
  switch (m) {
    case screening_mode::single: return "single";
    case screening_mode::dual: return "dual";
    case screening_mode::dual_sample: return "dual-sample";
  }
  return "single";
}

review_spec parse_review_file(std::string_view toml_text, const fs::path& path, bool allow_outside) {
  const reader rd(toml_text, path, allow_outside);
  toml::table root;
  try {
    root = toml::parse(toml_text, rd.label());
  } catch (const toml::parse_error& e) {
    rd.fail(rd.at(e.source()), cat("invalid TOML: ", e.description()));
  }
  review_spec spec;
  spec.file = path;
  spec.dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  rd.check_keys(
      root,
      {"title", "sources", "search", "criteria", "screening", "analysis", "extraction", "appraisal", "grade", "update"},
      "the review file");
  // [analysis] is read and checked key by key by the run module (run/analysis_spec.hpp),
  // [extraction] by review/extraction.hpp, [appraisal] by review/appraisal.hpp and [[grade]] by
  // run/grade_spec.hpp.
  const source_position file_pos{rd.label(), 1, 1};

  if (const toml::node* t = root.get("title")) {
    spec.title = rd.string_of(*t, "title");
    if (spec.title.size() > limits::review_max_title_bytes) {
      rd.fail(rd.at(*t), cat("'title' is longer than the limit review_max_title_bytes (",
                             std::to_string(limits::review_max_title_bytes), " bytes)"));
    }
  }

  // [[sources]]
  const toml::node* sources = root.get("sources");
  if (sources == nullptr) rd.fail(file_pos, "no [[sources]]: list at least one database export");
  const toml::array* sarr = sources->as_array();
  if (sarr == nullptr || sarr->empty()) rd.fail(rd.at(*sources), "'sources' must be one or more [[sources]] tables");
  std::set<std::string> names;
  std::vector<std::pair<fs::path, source_position>> listed;  ///< every export so far, for duplicates
  for (auto&& el : *sarr) {
    const toml::table* st = el.as_table();
    if (st == nullptr) rd.fail(rd.at(el), "each entry of 'sources' must be a table ([[sources]])");
    rd.check_keys(*st, {"name", "files", "format", "kind"}, "[[sources]]");
    review_source s;
    s.where = rd.at(el);
    const toml::node* name = st->get("name");
    if (name == nullptr) rd.fail(s.where, "[[sources]] needs a name (shown in the PRISMA diagram)");
    s.name = rd.string_of(*name, "name");
    if (s.name.empty()) rd.fail(rd.at(*name), "the source name must not be empty");
    if (s.name.find(':') != std::string::npos) {
      rd.fail(rd.at(*name), "the source name must not contain ':' (decisions name records as <source>:<id>)");
    }
    if (!names.insert(s.name).second) rd.fail(rd.at(*name), "two sources are named '" + s.name + "'");
    const toml::node* files = st->get("files");
    if (files == nullptr) rd.fail(s.where, "[[sources]] '" + s.name + "' needs files = [...]");
    for (const auto& [f, node] : rd.strings_of(*files, "files")) {
      const source_position here = rd.at(*node);
      fs::path full = rd.resolve_inside(spec.dir, f, here);
      // The same export listed twice (or under two spellings, through a symlink or a hard link)
      // would count its records twice in "Records identified".
      for (const auto& [seen, seen_where] : listed) {
        std::error_code ec;
        if (seen == full || fs::equivalent(seen, full, ec)) {
          rd.fail(here, cat("'", f, "' is the same file as the one listed at ", seen_where.to_string(),
                            "; list each export once"));
        }
      }
      listed.emplace_back(full, here);
      s.files.push_back(f);
      s.paths.push_back(std::move(full));
    }
    if (s.files.empty()) rd.fail(rd.at(*files), "[[sources]] '" + s.name + "' lists no files");
    if (const toml::node* fmt = st->get("format")) s.format = rd.string_of(*fmt, "format");
    if (const toml::node* k = st->get("kind")) s.kind = kind_of(rd, *k);
    spec.sources.push_back(std::move(s));
  }

  // [search]
  query_dialect default_dialect = query_dialect::generic;
  if (const toml::node* sn = root.get("search")) {
    const toml::table* st = sn->as_table();
    if (st == nullptr) rd.fail(rd.at(*sn), "'search' must be a table ([search])");
    rd.check_keys(*st, {"query", "dialect"}, "[search]");
    review_search s;
    if (const toml::node* d = st->get("dialect")) s.dialect = dialect_of(rd, *d);
    default_dialect = s.dialect;
    const toml::node* q = st->get("query");
    if (q == nullptr) rd.fail(rd.at(*sn), "[search] needs a query");
    s.query = rd.string_of(*q, "query");
    s.where = rd.content_at(*q);
    s.compiled = compiled_query(s.query, s.dialect, s.where);
    spec.search = std::move(s);
  }

  // [[criteria]]
  if (const toml::node* cn = root.get("criteria")) {
    const toml::array* carr = cn->as_array();
    if (carr == nullptr) rd.fail(rd.at(*cn), "'criteria' must be [[criteria]] tables");
    std::set<std::string> ids;
    for (auto&& el : *carr) {
      const toml::table* ct = el.as_table();
      if (ct == nullptr) rd.fail(rd.at(el), "each entry of 'criteria' must be a table ([[criteria]])");
      rd.check_keys(*ct,
                    {"id", "reason", "years", "types", "languages", "query", "exclude_query", "dialect", "on_missing"},
                    "[[criteria]]");
      criterion c;
      c.where = rd.at(el);
      const toml::node* id = ct->get("id");
      if (id == nullptr) rd.fail(c.where, "[[criteria]] needs an id");
      c.id = rd.string_of(*id, "id");
      if (c.id.empty() || c.id == "search") rd.fail(rd.at(*id), "criterion id must be non-empty and not 'search'");
      if (!ids.insert(c.id).second) rd.fail(rd.at(*id), "two criteria have the id '" + c.id + "'");
      const toml::node* reason = ct->get("reason");
      if (reason == nullptr) rd.fail(c.where, "criterion '" + c.id + "' needs a reason (it is reported in PRISMA)");
      c.reason = rd.string_of(*reason, "reason");
      bool any = false;
      if (const toml::node* y = ct->get("years")) {
        const toml::array* ya = y->as_array();
        if (ya == nullptr || ya->size() != 2 || !(*ya)[0].is_integer() || !(*ya)[1].is_integer()) {
          rd.fail(rd.at(*y), "years must be [first, last], two whole years");
        }
        const auto lo = (*ya)[0].value<std::int64_t>().value_or(0), hi = (*ya)[1].value<std::int64_t>().value_or(0);
        if (lo > hi || lo < 0 || hi > 9999) rd.fail(rd.at(*y), "years must be [first, last] with first <= last");
        c.years = std::pair{static_cast<int>(lo), static_cast<int>(hi)};
        any = true;
      }
      if (const toml::node* t = ct->get("types")) {
        for (const auto& [name, node] : rd.strings_of(*t, "types")) {
          const auto rt = parse_record_type(name);
          if (!rt) {
            rd.fail(rd.at(*node), "unknown type '" + name +
                                      "' (expected journal-article, review, conference-paper, book, chapter, thesis, "
                                      "report, preprint or other)");
          }
          c.types.push_back(*rt);
        }
        any = true;
      }
      if (const toml::node* l = ct->get("languages")) {
        for (const auto& [name, node] : rd.strings_of(*l, "languages")) c.languages.push_back(canonical_language(name));
        any = true;
      }
      query_dialect d = default_dialect;
      if (const toml::node* dn = ct->get("dialect")) d = dialect_of(rd, *dn);
      if (const toml::node* q = ct->get("query")) {
        c.query_where = rd.content_at(*q);
        c.query = compiled_query(rd.string_of(*q, "query"), d, c.query_where);
        any = true;
      }
      if (const toml::node* q = ct->get("exclude_query")) {
        c.exclude_where = rd.content_at(*q);
        c.exclude_query = compiled_query(rd.string_of(*q, "exclude_query"), d, c.exclude_where);
        any = true;
      }
      if (const toml::node* m = ct->get("on_missing")) {
        const std::string v = rd.string_of(*m, "on_missing");
        if (v != "pass" && v != "fail") rd.fail(rd.at(*m), "on_missing must be \"pass\" or \"fail\"");
        c.missing_fails = v == "fail";
      }
      if (!any) {
        rd.fail(c.where,
                "criterion '" + c.id + "' checks nothing: give years, types, languages, query or exclude_query");
      }
      spec.criteria.push_back(std::move(c));
    }
  }

  // [screening]
  if (const toml::node* sn = root.get("screening")) read_screening(rd, *sn, spec);

  // [update]
  if (const toml::node* un = root.get("update")) {
    const toml::table* ut = un->as_table();
    if (ut == nullptr) rd.fail(rd.at(*un), "'update' must be a table ([update])");
    rd.check_keys(*ut, {"previous"}, "[update]");
    const toml::node* p = ut->get("previous");
    if (p == nullptr) rd.fail(rd.at(*un), "[update] needs previous = \"...\": the results folder of the earlier run");
    spec.previous_label = rd.string_of(*p, "previous");
    spec.previous_where = rd.at(*p);
    spec.previous = rd.resolve_inside(spec.dir, spec.previous_label, spec.previous_where);
  }
  return spec;
}

review_spec load_review_file(const fs::path& path, bool allow_outside) {
  return parse_review_file(io::read_file(path), path, allow_outside);
}

}  // namespace metasift::review
