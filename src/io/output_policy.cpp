#include "metasift/io/output_policy.hpp"

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <set>
#include <system_error>
#include <tuple>
#include <utility>

#include "metasift/core/error.hpp"

namespace metasift::io {
namespace {

namespace fs = std::filesystem;

/// A file's identity: device and inode. Two spellings of one file, a hard link and a symlink's
/// target all give the same key.
using file_key = std::pair<dev_t, ino_t>;

struct registry {
  std::mutex mutex;
  bool on = false;
  std::set<file_key> inputs;
  std::set<file_key> outputs;
};

registry& files_of_this_process() {
  static registry r;
  return r;
}

[[noreturn]] void refuse(const fs::path& path, const std::string& why) {
  throw io_error("cannot write '" + path.string() + "': " + why);
}

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

bool is_stdout_spelling(const std::string& s) {
  return s == "/dev/stdout" || s == "/dev/fd/1" || s == "/proc/self/fd/1";
}

/// Whether a process with this id exists. EPERM means it exists but belongs to another user.
bool process_alive(long pid) {
  if (pid <= 0 || pid != static_cast<long>(static_cast<pid_t>(pid))) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

/// "name.tmp-XXXXXX": the temporary file of io::write_file_atomic (six characters from
/// [A-Za-z0-9]) for the listed file `name`.
bool is_atomic_temporary_of(const std::string& entry, const std::set<std::string>& listed) {
  const std::size_t at = entry.rfind(".tmp-");
  if (at == std::string::npos || entry.size() != at + 5 + 6) return false;
  for (std::size_t i = at + 5; i < entry.size(); ++i) {
    const char c = entry[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) return false;
  }
  const std::string base = entry.substr(0, at);
  return base == manifest_name || listed.count(base) > 0;
}

std::optional<std::string> first_foreign(const fs::path& dir, bool allow_temporaries) {
  std::set<std::string> listed;
  std::set<std::string> folders;  // every parent folder of a listed file
  const fs::path manifest = dir / std::string(manifest_name);
  struct stat st {};
  if (::lstat(manifest.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    std::string text;
    {
      FILE* f = std::fopen(manifest.c_str(), "rb");
      if (f != nullptr) {
        char buf[4096];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() < (std::size_t{1} << 24U))
          text.append(buf, n);
        std::fclose(f);
      }
    }
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      if (line.empty() || line[0] == '#') continue;
      // A listed path never climbs out of the folder.
      if (line.find("..") != std::string::npos || line[0] == '/') continue;
      listed.insert(line);
      for (std::size_t slash = line.find('/'); slash != std::string::npos; slash = line.find('/', slash + 1)) {
        folders.insert(line.substr(0, slash));
      }
    }
  }
  std::vector<std::string> entries;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) throw io_error("cannot list the folder '" + dir.string() + "': " + ec.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) throw io_error("cannot list the folder '" + dir.string() + "': " + ec.message());
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    if (rel == manifest_name) continue;
    const fs::file_status s = it->symlink_status(ec);
    bool ours = false;
    if (s.type() == fs::file_type::regular) {
      ours = listed.count(rel) > 0 || (allow_temporaries && is_atomic_temporary_of(rel, listed));
    } else if (s.type() == fs::file_type::directory) {
      ours = folders.count(rel) > 0;
    }
    if (!ours) entries.push_back(rel);
  }
  if (entries.empty()) return std::nullopt;
  return *std::min_element(entries.begin(), entries.end());
}

}  // namespace

output_target resolve_output(const fs::path& path) {
  const std::string s = path.string();
  if (is_stdout_spelling(s)) return {true, {}};
  if (s.empty()) throw io_error("cannot write '': the output path is empty");
  struct stat st {};
  if (::lstat(s.c_str(), &st) != 0) return {false, path};  // nothing there (or the write reports why)
  if (S_ISLNK(st.st_mode)) {
    refuse(path, "it is a symbolic link, and metasift never replaces one (give the path of the file it points to)");
  }
  if (!S_ISREG(st.st_mode)) {
    refuse(path, "it is " + kind_of(st.st_mode) + ", not a regular file, and metasift replaces only regular files");
  }
  const file_key key{st.st_dev, st.st_ino};
  registry& r = files_of_this_process();
  const std::lock_guard<std::mutex> lock(r.mutex);
  if (!r.on) return {false, path};
  if (r.inputs.count(key) > 0) refuse(path, "it is an input of this run, and metasift never writes over its input");
  if (r.outputs.count(key) > 0) refuse(path, "this run has written it already as another output");
  return {false, path};
}

void guard_run_files(bool on) noexcept {
  registry& r = files_of_this_process();
  const std::lock_guard<std::mutex> lock(r.mutex);
  r.on = on;
}

void note_input_fd(int fd) noexcept {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  registry& r = files_of_this_process();
  const std::lock_guard<std::mutex> lock(r.mutex);
  if (r.on) r.inputs.emplace(st.st_dev, st.st_ino);
}

void note_output(const fs::path& path) noexcept {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  registry& r = files_of_this_process();
  const std::lock_guard<std::mutex> lock(r.mutex);
  if (r.on) r.outputs.emplace(st.st_dev, st.st_ino);
}

void forget_inputs_and_outputs() noexcept {
  registry& r = files_of_this_process();
  const std::lock_guard<std::mutex> lock(r.mutex);
  r.inputs.clear();
  r.outputs.clear();
}

void check_paths(const std::vector<named_path>& inputs, const std::vector<named_path>& outputs) {
  // An existing file is its device and inode; a file still to be created is its folder's device
  // and inode plus its name, so "out.csv" and "./x/../out.csv" meet too.
  using key = std::tuple<dev_t, ino_t, std::string>;
  const auto key_of = [](const std::string& p) -> std::optional<key> {
    if (p.empty() || p == "-" || is_stdout_spelling(p)) return std::nullopt;
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) return key{st.st_dev, st.st_ino, std::string()};
    const fs::path path(p);
    const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!path.has_filename() || ::stat(parent.c_str(), &st) != 0) return std::nullopt;
    return key{st.st_dev, st.st_ino, path.filename().string()};
  };
  std::vector<std::pair<key, const named_path*>> in;
  for (const auto& i : inputs) {
    if (auto k = key_of(i.path)) in.emplace_back(std::move(*k), &i);
  }
  std::vector<std::pair<key, const named_path*>> out;
  for (const auto& o : outputs) {
    const auto k = key_of(o.path);
    if (!k) continue;
    for (const auto& [ik, ip] : in) {
      if (ik == *k) {
        throw io_error("cannot write '" + o.path + "' (" + o.setting + "): it is the input '" + ip->path + "' (" +
                       ip->setting + "), and metasift never writes over its input");
      }
    }
    for (const auto& [ok, op] : out) {
      if (ok == *k) {
        throw io_error("cannot write '" + o.path + "' (" + o.setting + "): it is also the output of " + op->setting +
                       " ('" + op->path + "'); give each output its own file");
      }
    }
    out.emplace_back(*k, &o);
  }
}

std::string manifest_text(std::vector<std::string> files) {
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  std::string out =
      "# Written by metasift. Every file of this folder is listed below; metasift replaces the folder\n"
      "# only while it holds nothing else.\n";
  for (const auto& f : files) out += f + '\n';
  return out;
}

std::optional<std::string> first_foreign_entry(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec))) return std::nullopt;
  return first_foreign(dir, false);
}

fs::path resolve_output_folder(const fs::path& dir) {
  if (dir.empty()) throw io_error("cannot write the output folder: its path is empty");
  fs::path p = fs::absolute(dir).lexically_normal();
  if (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return p;
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    const fs::path real = fs::canonical(p, ec);
    if (ec) throw io_error("cannot write the output folder '" + p.string() + "': it is a symbolic link to nothing");
    if (!fs::is_directory(real, ec)) {
      throw io_error("cannot write the output folder '" + p.string() +
                     "': it is a symbolic link to something other "
                     "than a folder");
    }
    return real;
  }
  if (!S_ISDIR(st.st_mode)) {
    throw io_error("cannot write the output folder '" + p.string() + "': it exists and is " + kind_of(st.st_mode) +
                   ", not a folder");
  }
  return p;
}

void check_replaceable_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir, ec))) return;
  if (const auto foreign = first_foreign_entry(dir)) {
    throw io_error("cannot replace the output folder '" + dir.string() + "': it holds '" + *foreign +
                   "', which metasift did not write (metasift replaces only a folder whose " +
                   std::string(manifest_name) + " lists everything in it); choose another output folder");
  }
}

fs::path own_sibling(const fs::path& dir, std::string_view tag) {
  return dir.parent_path() / (dir.filename().string() + "." + std::string(tag) + "-" + std::to_string(::getpid()));
}

std::size_t remove_stale_siblings(const fs::path& dir) {
  const fs::path parent = dir.parent_path();
  const std::string name = dir.filename().string();
  std::error_code ec;
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    if (entry.size() <= name.size() + 5 || entry.compare(0, name.size(), name) != 0) continue;
    const std::string rest = entry.substr(name.size());
    if (rest.compare(0, 5, ".tmp-") != 0 && rest.compare(0, 5, ".old-") != 0) continue;
    const std::string digits = rest.substr(5);
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const long pid = std::stol(digits);
    if (pid == static_cast<long>(::getpid()) || process_alive(pid)) continue;
    std::error_code sec;
    if (!fs::is_directory(it->symlink_status(sec))) continue;
    stale.push_back(it->path());
  }
  std::size_t removed = 0;
  for (const auto& s : stale) {
    try {
      if (first_foreign(s, true)) continue;  // something metasift did not write: leave it alone
    } catch (const io_error&) {
      continue;
    }
    std::error_code rec;
    fs::remove_all(s, rec);
    if (!rec) ++removed;
  }
  return removed;
}

}  // namespace metasift::io
