// PRISMA 2020 counts: invariants, JSON (PRISMA2020 R package keys), text summary.
#include "metasift/review/prisma.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/core/number_format.hpp"

namespace metasift::review {
namespace {

/// Concatenation without operator+ on temporaries (GCC 12 -Wrestrict false positives).
template <class... P>
std::string cat(const P&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

std::size_t sum(const std::vector<prisma_count>& v) {
  return std::accumulate(v.begin(), v.end(), std::size_t{0},
                         [](std::size_t a, const prisma_count& c) { return a + c.n; });
}

std::string num(std::size_t n) {
  return std::to_string(n);
}

nlohmann::ordered_json finite_or_null(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

double number_or_nan(const nlohmann::json& obj, const char* key) {
  if (!obj.contains(key) || !obj[key].is_number()) return std::numeric_limits<double>::quiet_NaN();
  return obj[key].get<double>();
}

std::string fixed2(double x) {
  return format_fixed(x, 2, number_target::text);
}

nlohmann::ordered_json list(const std::vector<prisma_count>& v, const char* key) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& c : v) a.push_back({{key, c.name}, {"n", c.n}});
  return a;
}

}  // namespace

std::vector<std::string> prisma_violations(const prisma_counts& c) {
  std::vector<std::string> v;
  const std::size_t by_db = sum(c.database_specific_results);
  if (!c.database_specific_results.empty() && by_db != c.database_results) {
    v.push_back("database_specific_results add up to " + num(by_db) +
                ", not database_results = " + num(c.database_results));
  }
  if (!c.register_specific_results.empty() && sum(c.register_specific_results) != c.register_results) {
    v.push_back("register_specific_results add up to " + num(sum(c.register_specific_results)) +
                ", not register_results = " + num(c.register_results));
  }
  const std::size_t removed = c.duplicates + c.excluded_automatic + c.excluded_other;
  const std::size_t identified = c.database_results + c.register_results;
  if (removed > identified || identified - removed != c.records_screened) {
    v.push_back("records_screened = " + num(c.records_screened) + " but database_results" +
                (c.register_results > 0 ? " + register_results" : "") + " - duplicates - " +
                "excluded_automatic - excluded_other = " + num(identified) + " - " + num(c.duplicates) + " - " +
                num(c.excluded_automatic) + " - " + num(c.excluded_other));
  }
  if (!c.excluded_automatic_reasons.empty() && sum(c.excluded_automatic_reasons) != c.excluded_automatic) {
    v.push_back("the automation reasons add up to " + num(sum(c.excluded_automatic_reasons)) +
                ", not excluded_automatic = " + num(c.excluded_automatic));
  }
  if (c.records_excluded + c.dbr_sought_reports + c.awaiting_screening != c.records_screened) {
    v.push_back("records_screened = " + num(c.records_screened) + " but records_excluded + dbr_sought_reports + " +
                "awaiting screening = " + num(c.records_excluded) + " + " + num(c.dbr_sought_reports) + " + " +
                num(c.awaiting_screening));
  }
  if (!c.records_excluded_reasons.empty() && sum(c.records_excluded_reasons) != c.records_excluded) {
    v.push_back("the title-abstract exclusion reasons add up to " + num(sum(c.records_excluded_reasons)) +
                ", not records_excluded = " + num(c.records_excluded));
  }
  if (c.dbr_notretrieved_reports + c.dbr_assessed + c.awaiting_full_text != c.dbr_sought_reports) {
    v.push_back("dbr_sought_reports = " + num(c.dbr_sought_reports) +
                " but dbr_notretrieved_reports + dbr_assessed + " + "awaiting full text = " +
                num(c.dbr_notretrieved_reports) + " + " + num(c.dbr_assessed) + " + " + num(c.awaiting_full_text));
  }
  // In an update the reports included now are the previous version's and the new ones.
  const std::size_t included = c.update ? c.total_reports : c.new_reports;
  if (sum(c.dbr_excluded) + sum(c.other_excluded) + included != c.dbr_assessed + c.other_assessed) {
    if (c.other_assessed == 0 && c.other_excluded.empty()) {
      v.push_back("dbr_assessed = " + num(c.dbr_assessed) +
                  " but the dbr_excluded reasons + new_reports = " + num(sum(c.dbr_excluded)) + " + " + num(included));
    } else {
      v.push_back("dbr_assessed + other_assessed = " + num(c.dbr_assessed) + " + " + num(c.other_assessed) +
                  " but the dbr_excluded and other_excluded reasons + new_reports = " + num(sum(c.dbr_excluded)) +
                  " + " + num(sum(c.other_excluded)) + " + " + num(included));
    }
  }
  const std::size_t other = c.website_results + c.organisation_results + c.citations_results;
  if (!c.other_specific_results.empty() && sum(c.other_specific_results) != other) {
    v.push_back("other_specific_results add up to " + num(sum(c.other_specific_results)) +
                ", not website_results + organisation_results + citations_results = " + num(other));
  }
  if (c.other_duplicates + c.other_excluded_automatic + c.other_records_screened != other) {
    v.push_back(
        "website_results + organisation_results + citations_results = " + num(other) +
        " but other duplicates + other automatic exclusions + other records screened = " + num(c.other_duplicates) +
        " + " + num(c.other_excluded_automatic) + " + " + num(c.other_records_screened));
  }
  if (c.other_records_excluded + c.other_sought_reports + c.other_awaiting_screening != c.other_records_screened) {
    v.push_back("other records screened = " + num(c.other_records_screened) +
                " but other records excluded + other_sought_reports + other awaiting screening = " +
                num(c.other_records_excluded) + " + " + num(c.other_sought_reports) + " + " +
                num(c.other_awaiting_screening));
  }
  if (c.other_notretrieved_reports + c.other_assessed + c.other_awaiting_full_text != c.other_sought_reports) {
    v.push_back("other_sought_reports = " + num(c.other_sought_reports) +
                " but other_notretrieved_reports + other_assessed + other awaiting full text = " +
                num(c.other_notretrieved_reports) + " + " + num(c.other_assessed) + " + " +
                num(c.other_awaiting_full_text));
  }
  if (c.awaiting_title_abstract_adjudication + c.awaiting_title_abstract_second_reviewer >
      c.awaiting_screening + c.other_awaiting_screening) {
    v.push_back("awaiting adjudication + awaiting second reviewer at title-abstract = " +
                num(c.awaiting_title_abstract_adjudication) + " + " + num(c.awaiting_title_abstract_second_reviewer) +
                " exceeds awaiting screening = " + num(c.awaiting_screening));
  }
  if (c.awaiting_full_text_adjudication + c.awaiting_full_text_second_reviewer >
      c.awaiting_full_text + c.other_awaiting_full_text) {
    v.push_back("awaiting adjudication + awaiting second reviewer at full text = " +
                num(c.awaiting_full_text_adjudication) + " + " + num(c.awaiting_full_text_second_reviewer) +
                " exceeds awaiting full text = " + num(c.awaiting_full_text));
  }
  if (c.new_studies > c.new_reports) {
    v.push_back("new_studies = " + num(c.new_studies) + " exceeds new_reports = " + num(c.new_reports));
  }
  if (c.update && (c.total_studies != c.previous_studies + c.new_studies ||
                   c.total_reports != c.previous_reports + c.new_reports)) {
    v.push_back("total_studies = " + num(c.total_studies) + " and total_reports = " + num(c.total_reports) +
                " but previous + new = " + num(c.previous_studies + c.new_studies) + " and " +
                num(c.previous_reports + c.new_reports));
  }
  return v;
}

void check_prisma(const prisma_counts& c) {
  const auto v = prisma_violations(c);
  if (v.empty()) return;
  std::string m = "PRISMA counts do not add up: ";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) m += "; ";
    m += v[i];
  }
  throw error(m);
}

std::string format_prisma_json(const prisma_counts& c) {
  nlohmann::ordered_json j;
  if (!c.title.empty()) j["title"] = c.title;
  j["database_results"] = c.database_results;
  j["database_specific_results"] = list(c.database_specific_results, "name");
  if (c.register_results > 0 || !c.register_specific_results.empty()) {
    j["register_results"] = c.register_results;
    j["register_specific_results"] = list(c.register_specific_results, "name");
  }
  j["duplicates"] = c.duplicates;
  j["excluded_automatic"] = c.excluded_automatic;
  j["excluded_other"] = c.excluded_other;
  j["records_screened"] = c.records_screened;
  j["records_excluded"] = c.records_excluded;
  j["dbr_sought_reports"] = c.dbr_sought_reports;
  j["dbr_notretrieved_reports"] = c.dbr_notretrieved_reports;
  j["dbr_assessed"] = c.dbr_assessed;
  j["dbr_excluded"] = list(c.dbr_excluded, "reason");
  if (c.has_other_methods()) {
    j["website_results"] = c.website_results;
    j["organisation_results"] = c.organisation_results;
    j["citations_results"] = c.citations_results;
    j["other_sought_reports"] = c.other_sought_reports;
    j["other_notretrieved_reports"] = c.other_notretrieved_reports;
    j["other_assessed"] = c.other_assessed;
    j["other_excluded"] = list(c.other_excluded, "reason");
  }
  if (c.update) {
    j["previous_studies"] = c.previous_studies;
    j["previous_reports"] = c.previous_reports;
  }
  j["new_studies"] = c.new_studies;
  j["new_reports"] = c.new_reports;
  if (c.update) {
    j["total_studies"] = c.total_studies;
    j["total_reports"] = c.total_reports;
  }
  nlohmann::ordered_json m;
  m["excluded_automatic_reasons"] = list(c.excluded_automatic_reasons, "reason");
  m["records_excluded_reasons"] = list(c.records_excluded_reasons, "reason");
  m["awaiting_screening"] = c.awaiting_screening;
  m["awaiting_full_text"] = c.awaiting_full_text;
  m["maybe_duplicates"] = c.maybe_duplicates;
  m["awaiting_title_abstract_adjudication"] = c.awaiting_title_abstract_adjudication;
  m["awaiting_title_abstract_second_reviewer"] = c.awaiting_title_abstract_second_reviewer;
  m["awaiting_full_text_adjudication"] = c.awaiting_full_text_adjudication;
  m["awaiting_full_text_second_reviewer"] = c.awaiting_full_text_second_reviewer;
  nlohmann::ordered_json ag = nlohmann::ordered_json::array();
  for (const auto& a : c.agreement) {
    nlohmann::ordered_json e;
    e["stage"] = a.stage;
    e["reviewers"] = a.reviewers;
    e["n"] = a.n;
    e["percent_agreement"] = finite_or_null(a.percent_agreement);
    if (a.pairwise) {
      e["kappa"] = finite_or_null(a.kappa);
      e["kappa_ci_lower"] = finite_or_null(a.kappa_ci_lower);
      e["kappa_ci_upper"] = finite_or_null(a.kappa_ci_upper);
      e["pabak"] = finite_or_null(a.pabak);
      e["ac1"] = finite_or_null(a.ac1);
    } else {
      e["fleiss_kappa"] = finite_or_null(a.fleiss_kappa);
      e["krippendorff_alpha"] = finite_or_null(a.krippendorff_alpha);
    }
    e["disagreements"] = a.disagreements;
    e["adjudicated"] = a.adjudicated;
    ag.push_back(std::move(e));
  }
  m["agreement"] = std::move(ag);
  if (c.has_other_methods()) {
    nlohmann::ordered_json os = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < c.other_specific_results.size(); ++k) {
      const auto& o = c.other_specific_results[k];
      os.push_back({{"name", o.name},
                    {"kind", k < c.other_specific_kinds.size() ? c.other_specific_kinds[k] : std::string()},
                    {"n", o.n}});
    }
    m["other_specific_results"] = std::move(os);
    m["other_duplicates"] = c.other_duplicates;
    m["other_excluded_automatic"] = c.other_excluded_automatic;
    m["other_records_screened"] = c.other_records_screened;
    m["other_records_excluded"] = c.other_records_excluded;
    m["other_awaiting_screening"] = c.other_awaiting_screening;
    m["other_awaiting_full_text"] = c.other_awaiting_full_text;
  }
  m["invariants_checked"] = prisma_violations(c).empty();
  j["metasift"] = m;
  return j.dump(2) + "\n";
}

namespace {

/// line:column (1-based, columns in bytes) of a byte offset.
source_position position_of(std::string_view text, std::size_t offset, const std::string& label) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {label, line, col};
}

}  // namespace

prisma_counts parse_prisma_json(std::string_view json, const std::string& label) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is one past the offending character.
    const std::string what = e.what();
    const auto colon = what.find("syntax error");
    fail_input(position_of(json, e.byte > 0 ? e.byte - 1 : 0, label), "",
               "invalid JSON: " + (colon != std::string::npos ? what.substr(colon) : what));
  } catch (const nlohmann::json::exception& e) {
    // A number out of range ("1e400") is reported without a position; its literal is quoted in
    // the message, so locate the first occurrence in the text.
    const std::string what = e.what();
    std::size_t at = std::string::npos;
    if (const auto q1 = what.find('\''); q1 != std::string::npos) {
      if (const auto q2 = what.find('\'', q1 + 1); q2 != std::string::npos)
        at = json.find(what.substr(q1 + 1, q2 - q1 - 1));
    }
    const auto msg = what.find("] ");
    fail_input(at == std::string::npos ? source_position{label, 0, 0} : position_of(json, at, label), "",
               "invalid JSON: " + (msg != std::string::npos ? what.substr(msg + 2) : what));
  }
  if (!j.is_object()) fail_input({label, 0, 0}, "", "expected a JSON object of PRISMA counts");
  // Values are named by their JSON pointer ("/dbr_excluded/2/n"): the DOM keeps no positions.
  auto count = [&](const nlohmann::json& obj, const std::string& path, const char* key, bool required) -> std::size_t {
    const std::string where = path + "/" + key;
    if (!obj.contains(key)) {
      if (required) fail_input({label, 0, 0}, where, "missing");
      return 0;
    }
    const auto& v = obj[key];
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0)) {
      fail_input({label, 0, 0}, where, "must be a whole number >= 0, got " + v.dump().substr(0, 40));
    }
    return v.get<std::size_t>();
  };
  auto counts = [&](const nlohmann::json& obj, const std::string& path, const char* key, const char* name_key) {
    std::vector<prisma_count> out;
    const std::string where = path + "/" + key;
    if (!obj.contains(key)) return out;
    const auto& a = obj[key];
    if (!a.is_array()) fail_input({label, 0, 0}, where, cat("must be an array of {\"", name_key, "\", \"n\"}"));
    std::size_t i = 0;
    for (const auto& e : a) {
      const std::string item = where + "/" + std::to_string(i++);
      if (!e.is_object() || !e.contains(name_key) || !e[name_key].is_string()) {
        fail_input({label, 0, 0}, item, cat("each entry needs a \"", name_key, "\" string"));
      }
      out.push_back({e[name_key].get<std::string>(), count(e, item, "n", true)});
    }
    return out;
  };
  prisma_counts c;
  if (j.contains("title") && j["title"].is_string()) c.title = j["title"].get<std::string>();
  c.database_results = count(j, "", "database_results", true);
  c.database_specific_results = counts(j, "", "database_specific_results", "name");
  c.register_results = count(j, "", "register_results", false);
  c.register_specific_results = counts(j, "", "register_specific_results", "name");
  c.website_results = count(j, "", "website_results", false);
  c.organisation_results = count(j, "", "organisation_results", false);
  c.citations_results = count(j, "", "citations_results", false);
  c.other_sought_reports = count(j, "", "other_sought_reports", false);
  c.other_notretrieved_reports = count(j, "", "other_notretrieved_reports", false);
  c.other_assessed = count(j, "", "other_assessed", false);
  c.other_excluded = counts(j, "", "other_excluded", "reason");
  c.duplicates = count(j, "", "duplicates", false);
  c.excluded_automatic = count(j, "", "excluded_automatic", false);
  c.excluded_other = count(j, "", "excluded_other", false);
  c.records_screened = count(j, "", "records_screened", true);
  c.records_excluded = count(j, "", "records_excluded", false);
  c.dbr_sought_reports = count(j, "", "dbr_sought_reports", false);
  c.dbr_notretrieved_reports = count(j, "", "dbr_notretrieved_reports", false);
  c.dbr_assessed = count(j, "", "dbr_assessed", false);
  c.dbr_excluded = counts(j, "", "dbr_excluded", "reason");
  c.new_studies = count(j, "", "new_studies", false);
  c.new_reports = count(j, "", "new_reports", false);
  c.update = j.contains("previous_studies") || j.contains("total_studies");
  if (c.update) {
    c.previous_studies = count(j, "", "previous_studies", false);
    c.previous_reports = count(j, "", "previous_reports", false);
    c.total_studies = count(j, "", "total_studies", false);
    c.total_reports = count(j, "", "total_reports", false);
  }
  if (j.contains("metasift") && j["metasift"].is_object()) {
    const auto& m = j["metasift"];
    c.excluded_automatic_reasons = counts(m, "/metasift", "excluded_automatic_reasons", "reason");
    c.records_excluded_reasons = counts(m, "/metasift", "records_excluded_reasons", "reason");
    c.awaiting_screening = count(m, "/metasift", "awaiting_screening", false);
    c.awaiting_full_text = count(m, "/metasift", "awaiting_full_text", false);
    c.maybe_duplicates = count(m, "/metasift", "maybe_duplicates", false);
    c.awaiting_title_abstract_adjudication = count(m, "/metasift", "awaiting_title_abstract_adjudication", false);
    c.awaiting_title_abstract_second_reviewer = count(m, "/metasift", "awaiting_title_abstract_second_reviewer", false);
    c.awaiting_full_text_adjudication = count(m, "/metasift", "awaiting_full_text_adjudication", false);
    c.awaiting_full_text_second_reviewer = count(m, "/metasift", "awaiting_full_text_second_reviewer", false);
    c.other_specific_results = counts(m, "/metasift", "other_specific_results", "name");
    if (m.contains("other_specific_results") && m["other_specific_results"].is_array()) {
      for (const auto& e : m["other_specific_results"]) {
        c.other_specific_kinds.push_back(e.contains("kind") && e["kind"].is_string() ? e["kind"].get<std::string>()
                                                                                     : std::string());
      }
    }
    c.other_duplicates = count(m, "/metasift", "other_duplicates", false);
    c.other_excluded_automatic = count(m, "/metasift", "other_excluded_automatic", false);
    c.other_records_screened = count(m, "/metasift", "other_records_screened", false);
    c.other_records_excluded = count(m, "/metasift", "other_records_excluded", false);
    c.other_awaiting_screening = count(m, "/metasift", "other_awaiting_screening", false);
    c.other_awaiting_full_text = count(m, "/metasift", "other_awaiting_full_text", false);
    if (m.contains("agreement") && m["agreement"].is_array()) {
      std::size_t i = 0;
      for (const auto& e : m["agreement"]) {
        const std::string item = "/metasift/agreement/" + std::to_string(i++);
        if (!e.is_object()) fail_input({label, 0, 0}, item, "each entry must be an object");
        stage_agreement a;
        if (e.contains("stage") && e["stage"].is_string()) a.stage = e["stage"].get<std::string>();
        if (e.contains("reviewers") && e["reviewers"].is_array()) {
          for (const auto& r : e["reviewers"]) {
            if (r.is_string()) a.reviewers.push_back(r.get<std::string>());
          }
        }
        a.n = count(e, item, "n", false);
        a.percent_agreement = number_or_nan(e, "percent_agreement");
        a.pairwise = !e.contains("fleiss_kappa");
        a.kappa = number_or_nan(e, "kappa");
        a.kappa_ci_lower = number_or_nan(e, "kappa_ci_lower");
        a.kappa_ci_upper = number_or_nan(e, "kappa_ci_upper");
        a.pabak = number_or_nan(e, "pabak");
        a.ac1 = number_or_nan(e, "ac1");
        a.fleiss_kappa = number_or_nan(e, "fleiss_kappa");
        a.krippendorff_alpha = number_or_nan(e, "krippendorff_alpha");
        a.disagreements = count(e, item, "disagreements", false);
        a.adjudicated = count(e, item, "adjudicated", false);
        c.agreement.push_back(std::move(a));
      }
    }
  }
  return c;
}

std::string format_prisma_text(const prisma_counts& c) {
  std::string o;
  auto line = [&](const std::string& label, std::size_t n, int indent = 0) {
    std::string l(static_cast<std::size_t>(indent), ' ');
    l += label;
    if (l.size() < 48) l.append(48 - l.size(), ' ');
    o += l + " " + num(n) + "\n";
  };
  if (!c.title.empty()) o += c.title + "\n\n";
  o += "PRISMA 2020 flow (PRISMA2020 keys in --prisma-json)\n";
  line("Records identified from databases", c.database_results);
  for (const auto& d : c.database_specific_results) line(d.name, d.n, 2);
  if (c.register_results > 0 || !c.register_specific_results.empty()) {
    line("Records identified from registers", c.register_results);
    for (const auto& d : c.register_specific_results) line(d.name, d.n, 2);
  }
  line("Duplicate records removed", c.duplicates);
  if (c.maybe_duplicates > 0) line("(possible duplicates kept for a human)", c.maybe_duplicates, 2);
  line("Records marked ineligible by automation", c.excluded_automatic);
  for (const auto& r : c.excluded_automatic_reasons) line(r.name, r.n, 2);
  line("Records removed for other reasons", c.excluded_other);
  line("Records screened", c.records_screened);
  line("Records excluded", c.records_excluded);
  for (const auto& r : c.records_excluded_reasons) line(r.name, r.n, 2);
  if (c.awaiting_screening > 0) line("Records awaiting screening", c.awaiting_screening);
  if (c.awaiting_title_abstract_adjudication > 0)
    line("awaiting adjudication", c.awaiting_title_abstract_adjudication, 2);
  if (c.awaiting_title_abstract_second_reviewer > 0) {
    line("awaiting second reviewer", c.awaiting_title_abstract_second_reviewer, 2);
  }
  line("Reports sought for retrieval", c.dbr_sought_reports);
  line("Reports not retrieved", c.dbr_notretrieved_reports);
  line("Reports assessed for eligibility", c.dbr_assessed);
  if (c.awaiting_full_text > 0) line("Reports awaiting assessment", c.awaiting_full_text);
  if (c.awaiting_full_text_adjudication > 0) line("awaiting adjudication", c.awaiting_full_text_adjudication, 2);
  if (c.awaiting_full_text_second_reviewer > 0)
    line("awaiting second reviewer", c.awaiting_full_text_second_reviewer, 2);
  line("Reports excluded", sum(c.dbr_excluded));
  for (const auto& r : c.dbr_excluded) line(r.name, r.n, 2);
  if (c.has_other_methods()) {
    o += "Identification via other methods\n";
    line("Records from websites", c.website_results);
    line("Records from organisations", c.organisation_results);
    line("Records from citation searching", c.citations_results);
    for (const auto& d : c.other_specific_results) line(d.name, d.n, 2);
    line("Removed before retrieval", c.other_duplicates + c.other_excluded_automatic + c.other_records_excluded);
    line("duplicates", c.other_duplicates, 2);
    line("marked ineligible by automation", c.other_excluded_automatic, 2);
    line("excluded at title-abstract", c.other_records_excluded, 2);
    if (c.other_awaiting_screening > 0) line("Records awaiting screening", c.other_awaiting_screening);
    line("Reports sought for retrieval", c.other_sought_reports);
    line("Reports not retrieved", c.other_notretrieved_reports);
    line("Reports assessed for eligibility", c.other_assessed);
    if (c.other_awaiting_full_text > 0) line("Reports awaiting assessment", c.other_awaiting_full_text);
    line("Reports excluded", sum(c.other_excluded));
    for (const auto& r : c.other_excluded) line(r.name, r.n, 2);
  }
  if (c.update) {
    line("Studies included in previous version of review", c.previous_studies);
    line("Reports of studies included in previous version of review", c.previous_reports);
    line("New studies included in review", c.new_studies);
    line("Reports of new included studies", c.new_reports);
    line("Total studies included in review", c.total_studies);
    line("Reports of total included studies", c.total_reports);
  } else {
    line("Studies included in review", c.new_studies);
    line("Reports of included studies", c.new_reports);
  }
  if (!c.agreement.empty()) o += "\nReviewer agreement (include vs exclude)\n";
  for (const auto& a : c.agreement) {
    std::string who;
    for (const auto& r : a.reviewers) who += (who.empty() ? "" : ", ") + r;
    o += "  " + a.stage + " (" + who + "): n = " + num(a.n) + ", agreement " + fixed2(a.percent_agreement) + "%";
    if (a.pairwise) {
      o += ", kappa " + fixed2(a.kappa) + " [" + fixed2(a.kappa_ci_lower) + ", " + fixed2(a.kappa_ci_upper) +
           "], PABAK " + fixed2(a.pabak) + ", AC1 " + fixed2(a.ac1);
    } else {
      o += ", Fleiss' kappa " + fixed2(a.fleiss_kappa) + ", Krippendorff's alpha " + fixed2(a.krippendorff_alpha);
    }
    o += "; " + num(a.disagreements) + " disagreements, " + num(a.adjudicated) + " adjudicated\n";
  }
  return o;
}

}  // namespace metasift::review
