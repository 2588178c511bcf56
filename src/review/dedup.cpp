// Deduplication: normalise every record once, block on several keys, score the candidate pairs
// in parallel, then merge the accepted pairs into groups with a union-find that refuses any
// group holding two DOIs, two PubMed IDs or years more than one apart. The rule table is
// documented in docs/review.md ("Deduplication"); keep the two in step.
#include "metasift/review/dedup.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <thread>
#include <tuple>
#include <utility>

#include "audit_csv.hpp"
#include "metasift/review/dedup_normalize.hpp"

namespace metasift::review {

const char* to_string(dedup_status s) noexcept {
  switch (s) {
    case dedup_status::unique: return "unique";
    case dedup_status::duplicate: return "duplicate";
    case dedup_status::maybe: return "maybe";
  }
  return "unique";
}

int completeness(const record& r) noexcept {
  int n = 0;
  n += !r.title.empty();
  n += !r.authors.empty();
  n += r.year != 0;
  n += !r.journal.empty();
  n += !r.volume.empty();
  n += !r.issue.empty();
  n += !r.pages.empty();
  n += !r.doi.empty();
  n += !r.pmid.empty();
  n += !r.issn.empty();
  n += r.abstract.empty() ? 0 : 2;
  n += !r.keywords.empty();
  n += !r.language.empty();
  return n;
}

namespace {

enum class rule : std::uint8_t {
  none,
  doi,
  pmid,
  title_author_year_journal,
  title_author_pages_volume,
  title_author_abstract,
  title_author_year,
  title_journal_pages,
  title_journal_volume,
  short_title_author_journal_volume,
  first_maybe,
  maybe_doi_conflict = first_maybe,
  maybe_pmid_conflict,
  maybe_year_conflict,
  maybe_title_numbers,
  maybe_pages_conflict,
  maybe_volume_conflict,
  maybe_issue_conflict,
  maybe_identifier_title,
  maybe_title_author,
  maybe_title_abstract,
  maybe_cluster_conflict,
  count
};

constexpr std::array<const char*, static_cast<std::size_t>(rule::count)> rule_names = {
    "",
    "doi",
    "pmid",
    "title-author-year-journal",
    "title-author-pages-volume",
    "title-author-abstract",
    "title-author-year",
    "title-journal-pages",
    "title-journal-volume",
    "short-title-author-journal-volume",
    "maybe:doi-conflict",
    "maybe:pmid-conflict",
    "maybe:year-conflict",
    "maybe:title-numbers",
    "maybe:pages-conflict",
    "maybe:volume-conflict",
    "maybe:issue-conflict",
    "maybe:identifier-title-mismatch",
    "maybe:title-author",
    "maybe:title-abstract",
    "maybe:cluster-conflict",
};

const char* name(rule r) noexcept {
  return rule_names[static_cast<std::size_t>(r)];
}
bool is_merge(rule r) noexcept {
  return r != rule::none && r < rule::first_maybe;
}
bool is_maybe(rule r) noexcept {
  return r >= rule::first_maybe && r < rule::count;
}

/// A record after normalisation: everything the comparison needs, computed once.
struct prepared {
  std::string title;
  std::string title_compact;               ///< title without spaces (blocking)
  std::string numbers;                     ///< digit runs of the title, space-separated
  std::vector<std::uint32_t> word_hashes;  ///< distinct title words, hashed and sorted (pre-filter)
  std::size_t title_words = 0;
  bool notice = false;   ///< erratum, retraction, comment, reply, ...
  bool generic = false;  ///< "Editorial", "Abstracts", "In this issue", ...: the title identifies nothing
  std::string authors;
  std::string authors_swapped;  ///< family and given names swapped (empty when all given names are initials)
  std::string title_no_greek;   ///< the title without Greek letter names (empty when it has none)
  std::string first_author;     ///< "family initial" of the first author (blocking)
  int year = 0;
  std::string doi;
  std::string pmid;
  std::string journal;
  std::string volume;
  std::string page_first;
  bool page_range = false;  ///< the pages are a range "first-last" (not an article number)
  std::string issue;
  const record* source = nullptr;  ///< the abstract is normalised from here only when a rule needs it
  int complete = 0;
};

bool starts_with(std::string_view s, std::string_view p) noexcept {
  return s.substr(0, p.size()) == p;
}

bool is_notice(std::string_view t) noexcept {
  static constexpr std::array<std::string_view, 22> prefixes = {"erratum",
                                                                "errata",
                                                                "correction",
                                                                "corrigendum",
                                                                "corrigenda",
                                                                "retraction",
                                                                "retracted",
                                                                "withdrawn",
                                                                "expression of concern",
                                                                "notice of retraction",
                                                                "reply",
                                                                "in reply",
                                                                "response to",
                                                                "authors reply",
                                                                "author reply",
                                                                "comment on",
                                                                "commentary on",
                                                                "letter to the editor",
                                                                "re ",
                                                                "editorial comment",
                                                                "publisher correction",
                                                                "addendum"};
  for (const auto p : prefixes) {
    if (starts_with(t, p)) return true;
  }
  for (const std::string_view w : {" erratum", " corrigendum", " retraction notice", "(erratum"}) {
    if (t.find(w) != std::string_view::npos) return true;
  }
  // Web of Science corrections: "<title> (vol 38, pg 893, 2017)" -> "... vol 38 pg 893 2017".
  const auto v = t.find(" vol ");
  return v != std::string_view::npos && t.find(" pg ", v) != std::string_view::npos;
}

/// Titles shared by unrelated items of one journal issue.
bool is_generic(std::string_view t) noexcept {
  static constexpr std::array<std::string_view, 41> generic = {"reply",
                                                               "in reply",
                                                               "authors reply",
                                                               "author reply",
                                                               "erratum",
                                                               "errata",
                                                               "correction",
                                                               "corrigendum",
                                                               "editor s comments",
                                                               "editors comments",
                                                               "editor s comment",
                                                               "editorial",
                                                               "editorial comment",
                                                               "editorials",
                                                               "letter",
                                                               "letters",
                                                               "letter to the editor",
                                                               "letters to the editor",
                                                               "in this issue",
                                                               "contents",
                                                               "table of contents",
                                                               "news",
                                                               "index",
                                                               "author index",
                                                               "subject index",
                                                               "introduction",
                                                               "preface",
                                                               "foreword",
                                                               "book review",
                                                               "book reviews",
                                                               "reviewers",
                                                               "acknowledgement",
                                                               "acknowledgements",
                                                               "acknowledgment",
                                                               "announcement",
                                                               "announcements",
                                                               "abstracts",
                                                               "poster abstracts",
                                                               "oral presentations",
                                                               "poster presentations",
                                                               "correspondence"};
  return t.empty() || std::find(generic.begin(), generic.end(), t) != generic.end();
}

/// First pages compare only when written alike: "221" vs "230" conflict, "A135" vs "A134"
/// conflict, but "e24" vs "24" or an article number vs a page is no evidence either way.
int page_state(const std::string& a, const std::string& b) noexcept {
  if (a.empty() || b.empty()) return -1;
  // An article number (e-locator, five or more digits, no range) against a page: no evidence.
  if ((a.size() >= 5) != (b.size() >= 5) && a != b) return -1;
  if (a == b) return 1;
  auto prefix = [](const std::string& x) {
    std::size_t i = 0;
    while (i < x.size() && !(x[i] >= '0' && x[i] <= '9')) ++i;
    const bool digits_after =
        std::all_of(x.begin() + static_cast<std::ptrdiff_t>(i), x.end(), [](char c) { return c >= '0' && c <= '9'; });
    return std::pair{x.substr(0, i), digits_after && i < x.size()};
  };
  const auto pa = prefix(a), pb = prefix(b);
  return pa.first == pb.first && pa.second && pb.second ? 0 : -1;
}

prepared prepare(const record& r) {
  prepared p;
  p.title = normalize_title(r.title);
  p.title_compact.reserve(p.title.size());
  std::size_t words = p.title.empty() ? 0 : 1;
  for (std::size_t i = 0; i < p.title.size(); ++i) {
    const char c = p.title[i];
    if (c == ' ') {
      ++words;
      continue;
    }
    p.title_compact += c;
    if (c >= '0' && c <= '9') {
      if (i > 0 && !(p.title[i - 1] >= '0' && p.title[i - 1] <= '9') && !p.numbers.empty()) p.numbers += ' ';
      p.numbers += c;
    }
  }
  p.title_words = words;
  {
    std::size_t b = 0;
    while (b < p.title.size()) {
      std::size_t e = p.title.find(' ', b);
      if (e == std::string::npos) e = p.title.size();
      p.word_hashes.push_back(static_cast<std::uint32_t>(fnv1a(std::string_view(p.title).substr(b, e - b))));
      b = e + 1;
    }
    std::sort(p.word_hashes.begin(), p.word_hashes.end());
    p.word_hashes.erase(std::unique(p.word_hashes.begin(), p.word_hashes.end()), p.word_hashes.end());
  }
  p.notice = is_notice(p.title);
  p.authors = normalize_authors(r.authors);
  p.authors_swapped = normalize_authors_swapped(r.authors);
  {
    // Greek letters are spelled out by the normaliser ("TNF-alpha"); one database may drop them.
    static constexpr std::array<std::string_view, 24> greek = {
        "alpha", "beta", "gamma",   "delta", "epsilon", "zeta",  "eta", "theta",   "iota", "kappa", "lambda", "mu",
        "nu",    "xi",   "omicron", "pi",    "rho",     "sigma", "tau", "upsilon", "phi",  "chi",   "psi",    "omega"};
    std::string kept;
    bool dropped = false;
    std::size_t b = 0;
    while (b < p.title.size()) {
      std::size_t e = p.title.find(' ', b);
      if (e == std::string::npos) e = p.title.size();
      const std::string_view w = std::string_view(p.title).substr(b, e - b);
      if (std::find(greek.begin(), greek.end(), w) != greek.end()) {
        dropped = true;
      } else {
        if (!kept.empty()) kept += ' ';
        kept.append(w);
      }
      b = e + 1;
    }
    if (dropped) p.title_no_greek = std::move(kept);
  }
  for (const auto& a : r.authors) {
    p.first_author = normalize_author(a);
    if (!p.first_author.empty()) break;
  }
  p.year = r.year;
  p.doi = canonical_doi(r.doi);
  for (const char c : r.pmid) {
    if (c >= '0' && c <= '9') p.pmid += c;
  }
  p.journal = normalize_journal(r.journal);
  p.volume = normalize_volume(r.volume);
  {
    const page_range pr = normalize_pages(r.pages);
    p.page_first = pr.first;
    p.page_range = !pr.last.empty() && pr.last != pr.first;
  }
  p.issue = normalize_volume(r.issue);
  p.generic = is_generic(p.title);
  p.source = &r;
  p.complete = completeness(r);
  return p;
}

/// Share of the shorter title's distinct words that the other title has.
double word_overlap(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) noexcept {
  if (a.empty() || b.empty()) return 0.0;
  std::size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j])
      ++i;
    else if (b[j] < a[i])
      ++j;
    else {
      ++common;
      ++i;
      ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(std::min(a.size(), b.size()));
}

int tri(const std::string& a, const std::string& b) noexcept {
  if (a.empty() || b.empty()) return -1;
  return a == b ? 1 : 0;
}

struct scored {
  rule r = rule::none;
  float score = 0;
};

/// The rule table. Hard stops first (they block every similarity rule; the identifier stops and
/// the notice stop also block the identifier rules), then the merge rules in order, then the
/// maybe rules. Returns the verdict and fills `f`.
scored evaluate(const prepared& a, const prepared& b, pair_features& f) {
  f = pair_features{};
  f.doi = tri(a.doi, b.doi);
  f.pmid = tri(a.pmid, b.pmid);
  if (a.year != 0 && b.year != 0) {
    const int d = std::abs(a.year - b.year);
    f.year = d == 0 ? 1 : d == 1 ? 2 : 0;
  }
  const bool id_match = f.doi == 1 || f.pmid == 1;
  if (!a.title.empty() && !b.title.empty()) {
    if (a.title == b.title) {
      f.title = 1.0;
    } else if (!id_match && word_overlap(a.word_hashes, b.word_hashes) < 0.5) {
      // Pre-filter: titles sharing under half their words are never similar enough for any rule
      // (every title threshold is >= 0.85); skip the quadratic Jaro-Winkler.
      f.title = 0.0;
    } else {
      f.title = jaro_winkler(a.title, b.title);
    }
  }
  // One database dropped the Greek letters that the other spells or writes as symbols: compare
  // without them, but only when one title has none (alpha vs beta stays a difference).
  if (f.title >= 0 && f.title < 1.0 && a.title_no_greek.empty() != b.title_no_greek.empty()) {
    const std::string& x = a.title_no_greek.empty() ? a.title : a.title_no_greek;
    const std::string& y = b.title_no_greek.empty() ? b.title : b.title_no_greek;
    if (x == y) f.title = std::max(f.title, 0.99);
  }
  const double title = f.title;

  auto score_of = [&]() {
    const double t = title < 0 ? 0.0 : title;
    const double au = f.author < 0 ? 0.5 : f.author;
    const double jo = f.journal < 0 ? 0.5 : f.journal;
    const double yr = f.year == 1 ? 1.0 : f.year == 2 ? 0.5 : f.year < 0 ? 0.5 : 0.0;
    const double id = id_match ? 1.0 : (f.doi == 0 || f.pmid == 0) ? 0.0 : 0.5;
    return static_cast<float>(0.45 * t + 0.2 * au + 0.1 * jo + 0.1 * yr + 0.15 * id);
  };
  if (title < 0.75 && !id_match) return {rule::none, score_of()};

  if (!a.authors.empty() && !b.authors.empty()) {
    f.author = a.authors == b.authors ? 1.0 : jaro_winkler(a.authors, b.authors);
    // Family and given names swapped by one database ("Zhang Wei" / "Wei, Zhang").
    if (f.author < 0.95 && !a.authors_swapped.empty())
      f.author = std::max(f.author, jaro_winkler(a.authors_swapped, b.authors));
    if (f.author < 0.95 && !b.authors_swapped.empty())
      f.author = std::max(f.author, jaro_winkler(a.authors, b.authors_swapped));
  }
  if (!a.journal.empty() && !b.journal.empty()) f.journal = journal_similarity(a.journal, b.journal);
  f.pages = page_state(a.page_first, b.page_first);
  // Online-first pagination restarts at 1 before the print issue gives the real pages; an
  // article-number record written as "1-14" against a range elsewhere is no evidence either.
  if (f.pages == 0 && ((a.page_first == "1" && (a.volume.empty() || !b.page_range)) ||
                       (b.page_first == "1" && (b.volume.empty() || !a.page_range)))) {
    f.pages = -1;
  }
  const int issue = tri(a.issue, b.issue);
  f.volume = tri(a.volume, b.volume);
  f.title_numbers_differ = a.numbers != b.numbers;
  f.notice_mismatch = a.notice != b.notice;
  f.short_title = std::min(a.title_words, b.title_words) < 5;
  const float score = score_of();
  auto abstract_sim = [&]() {
    if (f.abstract == -1 && !a.source->abstract.empty() && !b.source->abstract.empty()) {
      const std::string x = normalize_abstract(a.source->abstract), y = normalize_abstract(b.source->abstract);
      if (!x.empty() && !y.empty()) f.abstract = x == y ? 1.0 : jaro_winkler(x, y);
    }
    return f.abstract;
  };

  // Hard stops.
  rule stop = rule::none;
  if (f.notice_mismatch) return {rule::none, score};  // an erratum or comment is never its article's duplicate
  // Recurring titles ("Editorial", "Reply", "In this issue") in different issues are different items.
  if ((a.generic || b.generic || a.notice || b.notice) && issue == 0 && !id_match) return {rule::none, score};
  if (f.doi == 0)
    stop = rule::maybe_doi_conflict;
  else if (f.pmid == 0)
    stop = rule::maybe_pmid_conflict;
  else if (f.year == 0)
    stop = rule::maybe_year_conflict;
  else if (!id_match && f.title_numbers_differ)
    stop = rule::maybe_title_numbers;
  else if (f.pages == 0 && !id_match)
    stop = rule::maybe_pages_conflict;
  else if (f.pages == 0 && title < 0.9)
    return {rule::none, score};  // one supplement DOI, different abstracts
  else if (!id_match && f.volume == 0)
    stop = rule::maybe_volume_conflict;
  else if (!id_match && issue == 0)
    stop = rule::maybe_issue_conflict;

  if (stop == rule::none) {
    // A correction notice has its own DOI, but its title is written differently by each database
    // (WoS "<title> (vol 104, pg 150, 2017)", Scopus "Corrigendum to ..."). Same-page supplement
    // abstracts share a DOI too, so the locator alone is not enough for anything else.
    const bool id_title = title >= 0.9 || (title >= 0.75 && f.author >= 0.9 && f.pages == 1) ||
                          (a.notice && b.notice && f.pages == 1 && f.year == 1);
    if (f.doi == 1 && id_title) return {rule::doi, score};
    if (f.pmid == 1 && id_title) return {rule::pmid, score};
    const bool strong_locator = f.pages == 1 && f.volume == 1;
    const bool long_title = !f.short_title || strong_locator;
    const bool year_ok = f.year == 1 || ((f.year == 2 || f.year == -1) && (f.pages == 1 || f.volume == 1));
    if (long_title && title >= 0.95 && f.author >= 0.85 && year_ok && f.journal >= 0.8) {
      return {rule::title_author_year_journal, score};
    }
    if (title >= 0.9 && f.author >= 0.8 && strong_locator && (f.year == 1 || f.year == 2)) {
      return {rule::title_author_pages_volume, score};
    }
    if (long_title && title >= 0.95 && f.author >= 0.8 && f.year == 1 && (f.journal < 0 || f.journal >= 0.7) &&
        abstract_sim() >= 0.95) {
      return {rule::title_author_abstract, score};
    }
    if (!f.short_title && title >= 0.97 && f.author >= 0.9 && f.year == 1 && f.journal < 0) {
      return {rule::title_author_year, score};
    }
    const bool specific = !a.generic && !b.generic;
    if (f.author < 0 && a.authors.empty() && b.authors.empty() && title >= 0.97 && f.journal >= 0.9 && strong_locator &&
        f.year == 1 && specific) {
      return {rule::title_journal_pages, score};
    }
    // Items without authors (meeting-abstract books, anonymous editorials): a near-exact, specific
    // title in the same journal, year and volume.
    if (f.author < 0 && a.authors.empty() && b.authors.empty() && title >= 0.99 && specific &&
        std::min(a.title_words, b.title_words) >= 3 && f.journal >= 0.9 && f.year == 1 && f.volume == 1 && issue != 0) {
      return {rule::title_journal_volume, score};
    }
    // Short but specific titles need the same author list, journal, year and volume.
    if (f.short_title && specific && title >= 0.97 && f.author >= 0.95 && f.journal >= 0.9 && f.year == 1 &&
        f.volume == 1 && issue != 0) {
      return {rule::short_title_author_journal_volume, score};
    }
  }

  // Maybe queue.
  if (stop != rule::none) return {(title >= 0.9 || id_match) ? stop : rule::none, score};
  if (id_match) return {rule::maybe_identifier_title, score};
  if (title >= 0.9 && (f.author >= 0.75 || f.author < 0)) return {rule::maybe_title_author, score};
  if (title >= 0.85 && abstract_sim() >= 0.85) return {rule::maybe_title_abstract, score};
  return {rule::none, score};
}

// --- blocking -------------------------------------------------------------------------------

std::vector<std::pair<std::uint64_t, std::uint32_t>> blocking_keys(const std::vector<prepared>& recs) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keys;
  keys.reserve(recs.size() * 6);
  std::string k;
  for (std::uint32_t i = 0; i < recs.size(); ++i) {
    const prepared& p = recs[i];
    auto add = [&](char tag, std::string_view body) {
      k.clear();
      k += tag;
      k += '\x1f';
      k.append(body);
      keys.emplace_back(fnv1a(k), i);
    };
    if (!p.doi.empty()) add('d', p.doi);
    if (!p.pmid.empty()) add('p', p.pmid);
    if (!p.first_author.empty() && p.year != 0) add('a', p.first_author + std::to_string(p.year));
    const std::string& tc = p.title_compact;
    if (!tc.empty()) {
      add('s', std::string_view(tc).substr(0, 20));
      if (tc.size() > 20) add('e', std::string_view(tc).substr(tc.size() - 20));
      // The three longest words, sorted: survives typos at both ends and reordered subtitles.
      std::vector<std::string_view> words;
      std::string_view t = p.title;
      std::size_t s = 0;
      while (s < t.size()) {
        std::size_t e = t.find(' ', s);
        if (e == std::string_view::npos) e = t.size();
        if (e > s) words.push_back(t.substr(s, e - s));
        s = e + 1;
      }
      if (words.size() >= 4) {
        std::stable_sort(words.begin(), words.end(), [](std::string_view x, std::string_view y) {
          return x.size() != y.size() ? x.size() > y.size() : x < y;
        });
        std::array<std::string_view, 3> top = {words[0], words[1], words[2]};
        std::sort(top.begin(), top.end());
        std::string body;
        for (const auto w : top) {
          body.append(w);
          body += ' ';
        }
        add('w', body);
      }
    }
    if (p.year != 0 && !p.volume.empty() && !p.page_first.empty()) {
      add('v', std::to_string(p.year) + '|' + p.volume + '|' + p.page_first);
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::uint64_t> candidate_pairs(const std::vector<prepared>& recs, const dedup_options& opt) {
  const auto keys = blocking_keys(recs);
  std::vector<std::uint64_t> pairs;
  auto push = [&](std::uint32_t x, std::uint32_t y) {
    if (x == y) return;
    if (x > y) std::swap(x, y);
    pairs.push_back((static_cast<std::uint64_t>(x) << 32) | y);
  };
  std::vector<std::uint32_t> block;
  std::size_t i = 0;
  while (i < keys.size()) {
    std::size_t j = i;
    block.clear();
    while (j < keys.size() && keys[j].first == keys[i].first) block.push_back(keys[j++].second);
    if (block.size() <= opt.max_block) {
      for (std::size_t x = 0; x < block.size(); ++x) {
        for (std::size_t y = x + 1; y < block.size(); ++y) push(block[x], block[y]);
      }
    } else {  // sorted neighbourhood inside an oversized block
      std::sort(block.begin(), block.end(), [&](std::uint32_t x, std::uint32_t y) {
        return std::tie(recs[x].title_compact, x) < std::tie(recs[y].title_compact, y);
      });
      for (std::size_t x = 0; x < block.size(); ++x) {
        for (std::size_t y = x + 1; y < block.size() && y <= x + opt.window; ++y) push(block[x], block[y]);
      }
    }
    i = j;
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

template <class F>
void parallel_for(std::size_t n, unsigned threads, F&& body) {
  if (threads <= 1 || n < 2048) {
    body(std::size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  const std::size_t chunk = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t lo = std::min(n, t * chunk), hi = std::min(n, lo + chunk);
    if (lo < hi) pool.emplace_back([&body, lo, hi] { body(lo, hi); });
  }
  for (auto& th : pool) th.join();
}

/// Union-find whose groups remember their DOI, PubMed ID and year span, so that a chain of
/// individually plausible pairs can never put two different DOIs into one group.
class groups {
 public:
  explicit groups(const std::vector<prepared>& recs) : parent_(recs.size()), info_(recs.size()) {
    std::iota(parent_.begin(), parent_.end(), std::size_t{0});
    for (std::size_t i = 0; i < recs.size(); ++i) {
      info_[i] = {recs[i].doi, recs[i].pmid, recs[i].year, recs[i].year};
    }
  }
  std::size_t find(std::size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  /// Joins the groups of x and y unless that would create a conflict; false on conflict.
  bool unite(std::size_t x, std::size_t y) {
    x = find(x);
    y = find(y);
    if (x == y) return true;
    const info& a = info_[x];
    const info& b = info_[y];
    if (!a.doi.empty() && !b.doi.empty() && a.doi != b.doi) return false;
    if (!a.pmid.empty() && !b.pmid.empty() && a.pmid != b.pmid) return false;
    int lo = a.ymin, hi = a.ymax;
    if (b.ymin != 0) lo = lo == 0 ? b.ymin : std::min(lo, b.ymin);
    if (b.ymax != 0) hi = hi == 0 ? b.ymax : std::max(hi, b.ymax);
    if (lo != 0 && hi - lo > 1) return false;
    info merged{a.doi.empty() ? b.doi : a.doi, a.pmid.empty() ? b.pmid : a.pmid, lo, hi};
    if (y < x) std::swap(x, y);
    parent_[y] = x;
    info_[x] = std::move(merged);
    return true;
  }

 private:
  struct info {
    std::string doi, pmid;
    int ymin = 0, ymax = 0;
  };
  std::vector<std::size_t> parent_;
  std::vector<info> info_;
};

}  // namespace

pair_verdict compare_records(const record& a, const record& b) {
  const prepared pa = prepare(a), pb = prepare(b);
  pair_verdict v;
  const scored s = evaluate(pa, pb, v.features);
  v.score = static_cast<double>(s.score);
  v.rule = name(s.r);
  v.verdict = is_merge(s.r)   ? pair_verdict::kind::merge
              : is_maybe(s.r) ? pair_verdict::kind::maybe
                              : pair_verdict::kind::none;
  return v;
}

dedup_result deduplicate(const std::vector<record>& records, const dedup_options& opt) {
  const std::size_t n = records.size();
  unsigned threads = opt.threads != 0 ? opt.threads : std::max(1U, std::thread::hardware_concurrency());
  dedup_result res;
  res.decisions.resize(n);
  for (std::size_t i = 0; i < n; ++i) res.decisions[i].duplicate_of = i;

  std::vector<prepared> recs(n);
  parallel_for(n, threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) recs[i] = prepare(records[i]);
  });

  const std::vector<std::uint64_t> pairs = candidate_pairs(recs, opt);
  res.candidate_pairs = pairs.size();
  std::vector<scored> verdicts(pairs.size());
  parallel_for(pairs.size(), threads, [&](std::size_t lo, std::size_t hi) {
    pair_features f;
    for (std::size_t k = lo; k < hi; ++k) {
      const auto x = static_cast<std::size_t>(pairs[k] >> 32), y = static_cast<std::size_t>(pairs[k] & 0xFFFFFFFFU);
      verdicts[k] = evaluate(recs[x], recs[y], f);
    }
  });

  // Merge the accepted pairs, strongest first.
  std::vector<std::size_t> merges, maybes;
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    if (is_merge(verdicts[k].r))
      merges.push_back(k);
    else if (is_maybe(verdicts[k].r))
      maybes.push_back(k);
  }
  auto stronger = [&](std::size_t p, std::size_t q) {
    return verdicts[p].score != verdicts[q].score ? verdicts[p].score > verdicts[q].score : p < q;
  };
  std::sort(merges.begin(), merges.end(), stronger);
  groups g(recs);
  std::vector<scored> best_link(n);  // strongest accepted pair of each record
  std::vector<std::size_t> rejected;
  for (const std::size_t k : merges) {
    const auto x = static_cast<std::size_t>(pairs[k] >> 32), y = static_cast<std::size_t>(pairs[k] & 0xFFFFFFFFU);
    if (!g.unite(x, y)) {
      rejected.push_back(k);
      continue;
    }
    for (const std::size_t r : {x, y}) {
      if (best_link[r].r == rule::none || verdicts[k].score > best_link[r].score) best_link[r] = verdicts[k];
    }
  }

  // Kept record of each group: the most complete, ties to the earliest.
  std::vector<std::size_t> kept_of_root(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = g.find(i);
    std::size_t& kept = kept_of_root[r];
    if (kept == n || recs[i].complete > recs[kept].complete) kept = i;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t kept = kept_of_root[g.find(i)];
    if (kept != i) {
      dedup_decision& d = res.decisions[i];
      d.status = dedup_status::duplicate;
      d.duplicate_of = kept;
      d.score = static_cast<double>(best_link[i].score);
      d.rule = name(best_link[i].r);
      ++res.duplicates;
    }
  }

  // Maybe queue: between two different groups, the less complete group's kept record waits for a human.
  for (const std::size_t k : rejected) verdicts[k].r = rule::maybe_cluster_conflict;
  maybes.insert(maybes.end(), rejected.begin(), rejected.end());
  std::sort(maybes.begin(), maybes.end(), stronger);
  for (const std::size_t k : maybes) {
    const auto x = static_cast<std::size_t>(pairs[k] >> 32), y = static_cast<std::size_t>(pairs[k] & 0xFFFFFFFFU);
    std::size_t kx = kept_of_root[g.find(x)], ky = kept_of_root[g.find(y)];
    if (kx == ky) continue;
    if (recs[ky].complete > recs[kx].complete || (recs[ky].complete == recs[kx].complete && ky < kx)) std::swap(kx, ky);
    dedup_decision& d = res.decisions[ky];          // kx is the primary
    if (d.status == dedup_status::maybe) continue;  // already queued with a stronger pair
    if (res.decisions[kx].status == dedup_status::maybe && res.decisions[kx].duplicate_of == ky) continue;
    d.status = dedup_status::maybe;
    d.duplicate_of = kx;
    d.score = static_cast<double>(verdicts[k].score);
    d.rule = name(verdicts[k].r);
    ++res.maybes;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (res.decisions[i].status != dedup_status::duplicate) res.kept.push_back(i);
  }
  return res;
}

std::string format_decisions_csv(const std::vector<record>& records, const dedup_result& result) {
  std::string out = "record,source_file,source_id,status,duplicate_of,score,rule\n";
  for (std::size_t i = 0; i < records.size() && i < result.decisions.size(); ++i) {
    const dedup_decision& d = result.decisions[i];
    const bool linked = d.status != dedup_status::unique;
    detail::csv_row(out, std::to_string(i + 1), records[i].source_file, records[i].source_id, to_string(d.status),
                    linked ? std::to_string(d.duplicate_of + 1) : std::string(),
                    linked ? detail::fixed(d.score) : std::string(), d.rule);
  }
  return out;
}

}  // namespace metasift::review
