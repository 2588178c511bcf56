// report.html as a person sees it: headless Chromium (Debian `chromium`) opens the built-in
// example's report, takes a screenshot, and the test checks that the PRISMA and forest images
// loaded and that the page logged nothing to the console (no script errors, no blocked or failed
// loads: the report's Content-Security-Policy turns any attempt to fetch a resource into a console
// error). Skips, saying so, when Chromium is not installed (scripts/install-deps.sh installs it).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "run_cli_support.hpp"

namespace {

using namespace metasift::test_run;

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    const cli_result r = run_shell(std::string("command -v ") + name);
    if (r.code == 0 && !r.out.empty()) return r.out.substr(0, r.out.find('\n'));
  }
  return "";
}

/// Headless Chromium with console messages on stderr. --no-sandbox: CI containers run as root,
/// where the sandbox refuses to start; the page is our own file.
std::string chromium_command(const std::string& bin, const fs::path& profile) {
  return bin +
         " --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars --disable-extensions"
         " --enable-logging=stderr --v=0 --user-data-dir=" +
         profile.string();
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(s[at])} << 24U) |
         (std::uint32_t{static_cast<unsigned char>(s[at + 1])} << 16U) |
         (std::uint32_t{static_cast<unsigned char>(s[at + 2])} << 8U) |
         std::uint32_t{static_cast<unsigned char>(s[at + 3])};
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = find_chromium();
    if (bin_.empty()) {
      GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it); report.html was not "
                      "checked in a browser";
    }
    dir_ = scratch("browser");
    const cli_result r = run_metasift("run " + example_review() + " --out " + (dir_ / "demo").string());
    ASSERT_EQ(r.code, 0) << r.err;
  }
  std::string bin_;
  fs::path dir_;
};

TEST_F(Browser, ConsoleMessagesAreCaptured) {
  // Positive control: without it, "no console message" below could mean "console not captured".
  write_file(dir_ / "control.html",
             "<!DOCTYPE html><title>c</title><script>console.error('metasift-control-42')</script>");
  const cli_result r = run_shell(chromium_command(bin_, dir_ / "profile-control") +
                                 " --virtual-time-budget=3000 --dump-dom file://" + (dir_ / "control.html").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("metasift-control-42"), std::string::npos) << r.err;
}

TEST_F(Browser, ReportRendersWithItsFiguresAndNoConsoleMessage) {
  const fs::path report = dir_ / "demo" / "report.html";
  const fs::path shot = dir_ / "report.png";
  const cli_result r =
      run_shell(chromium_command(bin_, dir_ / "profile-shot") + " --window-size=1200,2400" +
                " --virtual-time-budget=5000 --screenshot=" + shot.string() + " file://" + report.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("CONSOLE"), std::string::npos) << r.err;
  const std::string png = slurp(shot);
  ASSERT_GT(png.size(), 24U);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(be32(png, 16), 1200U);  // IHDR width: the window size asked for
  EXPECT_GT(png.size(), 20000U);    // a rendered page, not a blank one
  const char* keep = std::getenv("METASIFT_KEEP_SCREENSHOT");
  if (keep != nullptr && *keep != '\0') fs::copy_file(shot, keep, fs::copy_options::overwrite_existing);
}

TEST_F(Browser, PrismaAndForestImagesLoaded) {
  // A page beside the report loads it in a frame and reads its images once it has loaded
  // (file pages may read each other only with --allow-file-access-from-files).
  write_file(dir_ / "demo" / "check.html",
             "<!DOCTYPE html><html><body><pre id=\"result\">pending</pre>"
             "<iframe id=\"f\" src=\"report.html\" style=\"width:1200px;height:2000px\"></iframe><script>"
             "document.getElementById('f').addEventListener('load', function () {"
             "  var d = this.contentDocument, out = [];"
             "  if (!d) { document.getElementById('result').textContent = 'RESULT no-access END'; return; }"
             "  for (var i = 0; i < d.images.length; i++) {"
             "    var im = d.images[i];"
             "    out.push(im.id + '=' + (im.complete && im.naturalWidth > 0 ? 'loaded' : 'broken'));"
             "  }"
             "  out.push('scripts=' + d.scripts.length);"
             "  document.getElementById('result').textContent = 'RESULT ' + out.join(' ') + ' END';"
             "});</script></body></html>");
  const cli_result r = run_shell(chromium_command(bin_, dir_ / "profile-check") +
                                 " --allow-file-access-from-files --virtual-time-budget=5000 --dump-dom file://" +
                                 (dir_ / "demo" / "check.html").string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto b = r.out.find("RESULT "), e = r.out.find(" END");
  ASSERT_TRUE(b != std::string::npos && e != std::string::npos) << r.out << r.err;
  const std::string result = r.out.substr(b, e - b);
  EXPECT_NE(result.find("prisma-image=loaded"), std::string::npos) << result;
  EXPECT_NE(result.find("forest-image=loaded"), std::string::npos) << result;
  EXPECT_NE(result.find("funnel-image=loaded"), std::string::npos) << result;
  EXPECT_EQ(result.find("broken"), std::string::npos) << result;
  EXPECT_NE(result.find("scripts=0"), std::string::npos) << result;
  EXPECT_EQ(r.err.find("CONSOLE"), std::string::npos) << r.err;
}

}  // namespace
