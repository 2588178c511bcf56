// Updates of a review (living reviews): `run_options::previous` compares a run with the results
// folder of an earlier one. Version 1 has three records (two included, with data); version 2 adds
// an export with a copy of a version-1 record, one study included with data and one excluded.
// The expected numbers are worked out by hand below (fixed-effect pooling of yi with vi = 1).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/run/run.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace metasift;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const metasift::error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string ris_record(const std::string& id, const std::string& author, const std::string& title, int year,
                       const std::string& journal, const std::string& pages) {
  return "TY  - JOUR\nAU  - " + author + "\nTI  - " + title + "\nT2  - " + journal + "\nPY  - " + std::to_string(year) +
         "\nVL  - 4\nSP  - " + pages + "\nID  - " + id + "\nER  - \n\n";
}

const std::string v1_ris =
    ris_record("A1", "Alpha, A.", "Rare earth mining and town incomes", 2020, "Journal A", "11") +
    ris_record("B2", "Beta, B.", "Rare earth tailings and river water quality", 2021, "Journal B", "22") +
    ris_record("C3", "Gamma, G.", "Copper smelting in Chile", 2019, "Journal C", "33");
// The update search: A1 again (a new id, same work), D4 included, E5 excluded.
const std::string v2_ris =
    ris_record("A9", "Alpha, A.", "Rare earth mining and town incomes", 2020, "Journal A", "11") +
    ris_record("D4", "Delta, D.", "Rare earth mining and household health", 2025, "Journal D", "44") +
    ris_record("E5", "Eps, E.", "Gold panning in Ghana", 2025, "Journal E", "55");

const std::string v1_decisions =
    "record,stage,decision,reason\nDB:A1,full-text,include,\nDB:B2,full-text,include,\n"
    "DB:C3,title-abstract,exclude,Off topic\n";
const std::string v2_decisions = v1_decisions + "DB:D4,full-text,include,\nDB:E5,title-abstract,exclude,Off topic\n";
const std::string v1_data = "record,study,yi,vi\nDB:A1,Alpha,1,1\nDB:B2,Beta,3,1\n";
const std::string v2_data = v1_data + "DB:D4,Delta,5,1\n";

std::string toml(bool second_file) {
  return std::string("title = \"Living review\"\n[[sources]]\nname = \"DB\"\nfiles = [\"records/db.ris\"") +
         (second_file ? ", \"records/update.ris\"" : "") +
         "]\n[screening]\ndecisions = \"decisions.csv\"\n[analysis]\ndata = \"data/studies.csv\"\nmeasure = "
         "\"GEN\"\nmethod = \"EE\"\n";
}

struct living_review {
  fs::path root;
  living_review() {
    root = fs::temp_directory_path() / ("metasift_update_" + std::to_string(::getpid()));
    fs::remove_all(root);
    write(root / "v1/records/db.ris", v1_ris);
    write(root / "v1/decisions.csv", v1_decisions);
    write(root / "v1/data/studies.csv", v1_data);
    write(root / "v1/review.toml", toml(false));
    write(root / "v2/records/db.ris", v1_ris);
    write(root / "v2/records/update.ris", v2_ris);
    write(root / "v2/decisions.csv", v2_decisions);
    write(root / "v2/data/studies.csv", v2_data);
    write(root / "v2/review.toml", toml(true));
  }
  ~living_review() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  run::run_outputs run(const std::string& version, const fs::path& out, const fs::path& previous = {}) const {
    run::run_options o;
    o.review = root / version / "review.toml";
    o.previous = previous;
    o.threads = 1;
    run::run_outputs r = run::compute_run(o);
    (void)run::write_run(r, out, 72.0);
    return r;
  }
};

std::string text_of(const run::run_outputs& r, const std::string& name) {
  for (const auto& [n, t] : r.text_files) {
    if (n == name) return t;
  }
  return {};
}

TEST(LivingReview, WhatChangedBetweenTwoVersions) {
  const living_review lr;
  (void)lr.run("v1", lr.root / "out1");
  const run::run_outputs r2 = lr.run("v2", lr.root / "out2", lr.root / "out1");

  // PRISMA 2020 for updated reviews: A1 and B2 were included before and still are; D4 is new.
  EXPECT_TRUE(r2.prisma.update);
  EXPECT_EQ(r2.prisma.previous_studies, 2U);
  EXPECT_EQ(r2.prisma.new_studies, 1U);
  EXPECT_EQ(r2.prisma.total_studies, 3U);
  EXPECT_EQ(r2.prisma.total_reports, 3U);
  EXPECT_TRUE(review::prisma_violations(r2.prisma).empty());

  const json doc = json::parse(text_of(r2, "results.json"));
  const json& u = doc.at("update");
  EXPECT_EQ(u.at("previous_records"), 3);
  EXPECT_EQ(u.at("new_records"), 3);  // A9, D4, E5 (A9 is new as a record, and a duplicate)
  ASSERT_EQ(u.at("new_records_by_source").size(), 1U);
  EXPECT_EQ(u.at("new_records_by_source")[0].at("n"), 3);
  ASSERT_EQ(u.at("newly_included").size(), 1U);
  EXPECT_EQ(u.at("newly_included")[0], "DB:D4: Rare earth mining and household health");
  EXPECT_TRUE(u.at("no_longer_included").empty());
  // Fixed effect, vi = 1: version 1 pools yi = 1, 3: estimate 2, SE sqrt(1/2); version 2 adds
  // yi = 5: estimate 3, SE sqrt(1/3). CI = estimate -/+ 1.959964 SE.
  const double z = 1.959963984540054;
  EXPECT_NEAR(u.at("pooled_before").at("estimate").get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(u.at("pooled_before").at("ci_lower").get<double>(), 2.0 - z * std::sqrt(0.5), 1e-9);
  EXPECT_EQ(u.at("pooled_before").at("k"), 2);
  EXPECT_NEAR(u.at("pooled_after").at("estimate").get<double>(), 3.0, 1e-9);
  EXPECT_NEAR(u.at("pooled_after").at("ci_upper").get<double>(), 3.0 + z * std::sqrt(1.0 / 3.0), 1e-9);
  EXPECT_EQ(u.at("pooled_after").at("k"), 3);
  EXPECT_NEAR(u.at("pooled_change").get<double>(), 1.0, 1e-9);
  // Counts as a new review would give them: 3 -> 6 records, 0 -> 1 duplicate, 3 -> 5 screened,
  // 1 -> 2 excluded at title-abstract, 2 -> 3 included.
  std::map<std::string, std::pair<long long, long long>> changes;
  for (const auto& c : u.at("prisma_changes")) {
    changes[c.at("key").get<std::string>()] = {c.at("before").get<long long>(), c.at("after").get<long long>()};
  }
  EXPECT_EQ(changes["database_results"], std::make_pair(3LL, 6LL));
  EXPECT_EQ(changes["duplicates"], std::make_pair(0LL, 1LL));
  EXPECT_EQ(changes["records_screened"], std::make_pair(3LL, 5LL));
  EXPECT_EQ(changes["records_excluded"], std::make_pair(1LL, 2LL));
  EXPECT_EQ(changes["new_studies"], std::make_pair(2LL, 3LL));
  EXPECT_EQ(changes.count("excluded_other"), 0U);

  const std::string prisma = text_of(r2, "prisma.json");
  const json pj = json::parse(prisma);
  EXPECT_EQ(pj.at("previous_studies"), 2);
  EXPECT_EQ(pj.at("total_studies"), 3);
  const review::prisma_counts back = review::parse_prisma_json(prisma, "prisma.json");
  EXPECT_TRUE(back.update);
  EXPECT_EQ(back.total_reports, 3U);

  const std::string html = text_of(r2, "report.html");
  EXPECT_NE(html.find("What changed"), std::string::npos);
  EXPECT_NE(html.find("DB:D4"), std::string::npos);
  const std::string svg = slurp(lr.root / "out2" / "figures" / "prisma.svg");  // the diagram
  EXPECT_NE(svg.find("Studies included in previous version of review"), std::string::npos);
  EXPECT_NE(svg.find("Total studies included in review"), std::string::npos);

  // Run again against the second results with nothing new: nothing is new, nothing changed.
  const run::run_outputs r3 = lr.run("v2", lr.root / "out3", lr.root / "out2");
  const json u3 = json::parse(text_of(r3, "results.json")).at("update");
  EXPECT_EQ(u3.at("new_records"), 0);
  EXPECT_TRUE(u3.at("newly_included").empty());
  EXPECT_TRUE(u3.at("prisma_changes").empty());
  EXPECT_EQ(r3.prisma.previous_studies, 3U);
  EXPECT_EQ(r3.prisma.new_studies, 0U);
  EXPECT_NE(text_of(r3, "report.html").find("No PRISMA count changed."), std::string::npos);
}

std::map<std::string, std::string> folder_bytes(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).generic_string()] = slurp(e.path());
  }
  return out;
}

// `[update] previous` in review.toml does what --previous does, names the folder as written, and
// a rerun with nothing new gives the same bytes in every file.
TEST(LivingReview, UpdateTableInTheReviewFileAndByteIdenticalReruns) {
  const living_review lr;
  (void)lr.run("v1", lr.root / "v2" / "previous");  // version 1's results, kept in the review folder
  write(lr.root / "v2/review.toml", toml(true) + "[update]\nprevious = \"previous\"\n");
  const run::run_outputs a = lr.run("v2", lr.root / "out_a");
  const run::run_outputs b = lr.run("v2", lr.root / "out_b");
  const auto fa = folder_bytes(lr.root / "out_a");
  const auto fb = folder_bytes(lr.root / "out_b");
  ASSERT_GE(fa.size(), 5U);
  ASSERT_EQ(fa.size(), fb.size());
  for (const auto& [name, bytes] : fa) {
    ASSERT_TRUE(fb.count(name)) << name;
    EXPECT_TRUE(bytes == fb.at(name)) << name << " differs between two runs with nothing new";
  }
  const json u = json::parse(text_of(a, "results.json")).at("update");
  EXPECT_EQ(u.at("previous"), "previous");  // as written, not an absolute path of this machine
  EXPECT_EQ(u.at("new_records"), 3);        // A9, D4 and E5
  EXPECT_EQ(a.prisma.previous_studies, 2U);
  EXPECT_EQ(a.prisma.new_studies, 1U);
  EXPECT_NE(text_of(a, "report.html").find("This run updates the results in previous ("), std::string::npos);

  // The command line's --previous gives the same update, apart from how the folder is named.
  const run::run_outputs c = lr.run("v2", lr.root / "out_c", lr.root / "v2" / "previous");
  json uc = json::parse(text_of(c, "results.json")).at("update");
  EXPECT_EQ(uc.at("previous"), (lr.root / "v2" / "previous").string());
  uc["previous"] = "previous";
  EXPECT_EQ(uc, u);
}

TEST(LivingReview, UpdateTableErrorsNameTheReviewFilePosition) {
  const living_review lr;
  auto error_for = [&](const std::string& update_table) {
    write(lr.root / "v2/review.toml", toml(true) + update_table);
    return error_of([&] { (void)lr.run("v2", lr.root / "out_e"); });
  };
  const std::string base = toml(true);
  const auto previous_line = std::count(base.begin(), base.end(), '\n') + 2;  // after "[update]"
  const std::string missing = error_for("[update]\nprevious = \"no-such-folder\"\n");
  EXPECT_NE(missing.find("review.toml:" + std::to_string(previous_line) + ":12"), std::string::npos) << missing;
  EXPECT_NE(missing.find("'no-such-folder' is not a folder"), std::string::npos) << missing;
  const std::string escapes = error_for("[update]\nprevious = \"../v1\"\n");
  EXPECT_NE(escapes.find("escapes the review folder"), std::string::npos) << escapes;
  const std::string unknown = error_for("[update]\nprevios = \"previous\"\n");
  EXPECT_NE(unknown.find("previos"), std::string::npos) << unknown;
  const std::string empty = error_for("[update]\n");
  EXPECT_NE(empty.find("[update] needs previous"), std::string::npos) << empty;
}

TEST(LivingReview, PreviousFolderMustHoldAMetasiftResult) {
  const living_review lr;
  fs::create_directories(lr.root / "empty");
  run::run_options o;
  o.review = lr.root / "v2" / "review.toml";
  o.previous = lr.root / "empty";
  const std::string e = error_of([&] { (void)run::compute_run(o); });
  EXPECT_NE(e.find("screening.csv"), std::string::npos) << e;
  write(lr.root / "bad/screening.csv", "a,b\n1,2\n");
  o.previous = lr.root / "bad";
  const std::string e2 = error_of([&] { (void)run::compute_run(o); });
  EXPECT_NE(e2.find("missing column 'record'"), std::string::npos) << e2;
}

// Decisions imported from a Rayyan export name their reviewers in the report's Methods (PRISMA
// 2020 item 8), as reviewers of review.toml do. Records are found by title and year.
TEST(RunImports, MethodsNameTheImportedReviewers) {
  const living_review lr;
  write(lr.root / "v1/rayyan.ris",
        "TY  - JOUR\nTI  - Rare earth mining and town incomes\nPY  - 2020\n"
        "N1  - RAYYAN-INCLUSION: {\"Ann\"=>\"Included\", \"Bob\"=>\"Included\"}\nER  - \n\n"
        "TY  - JOUR\nTI  - Copper smelting in Chile\nPY  - 2019\n"
        "N1  - RAYYAN-INCLUSION: {\"Ann\"=>\"Excluded\", \"Bob\"=>\"Excluded\"} | RAYYAN-EXCLUSION-REASONS: "
        "off topic\nER  - \n");
  write(lr.root / "v1/review.toml",
        "title = \"Imported\"\n[[sources]]\nname = \"DB\"\nfiles = [\"records/db.ris\"]\n[screening]\n"
        "mode = \"dual\"\nimport = [{ tool = \"rayyan\", file = \"rayyan.ris\" }]\n");
  run::run_options o;
  o.review = lr.root / "v1" / "review.toml";
  o.threads = 1;
  const run::run_outputs r = run::compute_run(o);
  // A1 included at title-abstract by both (awaiting full text), C3 excluded, B2 not screened.
  EXPECT_EQ(r.prisma.records_excluded, 1U);
  EXPECT_EQ(r.prisma.awaiting_full_text, 1U);
  EXPECT_EQ(r.prisma.awaiting_screening, 1U);
  EXPECT_NE(text_of(r, "report.html").find("Two reviewers (Ann, Bob)"), std::string::npos);
}

TEST(LivingReview, PrismaUpdateInvariant) {
  review::prisma_counts c;
  c.database_results = 2;
  c.database_specific_results = {{"DB", 2}};
  c.records_screened = 2;
  c.dbr_sought_reports = 2;
  c.dbr_assessed = 2;
  c.update = true;
  c.previous_studies = c.previous_reports = 1;
  c.new_studies = c.new_reports = 1;
  c.total_studies = c.total_reports = 2;
  EXPECT_TRUE(review::prisma_violations(c).empty());
  c.total_studies = 3;  // previous + new = 2
  EXPECT_FALSE(review::prisma_violations(c).empty());
}

}  // namespace
