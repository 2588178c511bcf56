#include "metasift/io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/io/output_policy.hpp"

namespace metasift::io {
namespace {

[[noreturn]] void fail_io(std::string_view verb, const std::filesystem::path& path, int err) {
  std::string message = "cannot ";
  message.append(verb);
  message += " '" + path.string() + "': ";
  // generic_category().message is used instead of strerror, which is not thread-safe.
  message += std::generic_category().message(err != 0 ? err : EIO);
  throw io_error(message);
}

/// Closes the descriptor and removes the temporary file unless the write was committed, so that
/// every early exit (including exceptions) cleans up.
class temp_file_guard {
 public:
  temp_file_guard(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  temp_file_guard(const temp_file_guard&) = delete;
  temp_file_guard& operator=(const temp_file_guard&) = delete;
  ~temp_file_guard() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// Closes the descriptor; returns errno on failure, 0 on success.
  int close() noexcept {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }
  void commit() noexcept { committed_ = true; }

 private:
  std::string path_;
  int fd_;
  bool committed_ = false;
};

/// Six characters for a temporary name. They need to be unpredictable only enough to avoid
/// collisions between threads and processes; O_EXCL makes a collision harmless anyway.
std::string unique_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t x = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  x ^= static_cast<std::uint64_t>(::getpid()) << 32U;
  x += 0x9E3779B97F4A7C15ULL * (counter.fetch_add(1, std::memory_order_relaxed) + 1);
  // splitmix64 finaliser: spreads consecutive counters over the whole alphabet.
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  x ^= x >> 31U;
  constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out(6, 'x');
  for (char& c : out) {
    c = alphabet[x % alphabet.size()];
    x /= alphabet.size();
  }
  return out;
}

void write_all(int fd, std::string_view content, const std::filesystem::path& path) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io("write", path, errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string read_file(const std::filesystem::path& path, std::uint64_t max_stream_bytes) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) fail_io("read", path, errno);
  note_input_fd(fd);  // so that no output of this process replaces it

  // For a regular file the buffer gets one spare byte, so the read that sees end-of-file needs
  // no growth and the content is never copied; other files (pipes) grow geometrically.
  std::string content;
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && st.st_size > 0) {
    content.resize(static_cast<std::size_t>(st.st_size) + 1);
  } else {
    content.resize(std::size_t{1} << 16U);
  }
  // A regular file may still grow while it is read; it is then read to its end as before. Other
  // sources can be endless (/dev/zero, /dev/urandom, `yes |`), so they are capped.
  const std::uint64_t cap = regular ? UINT64_MAX : max_stream_bytes;
  std::size_t used = 0;
  for (;;) {
    if (used > cap) {
      ::close(fd);
      fail_input(source_position{path.string(), 0, 0}, "",
                 "input from a pipe or device is longer than " + std::to_string(cap) +
                     " bytes (limit max_stream_input_bytes); save it to a regular file first");
    }
    if (used == content.size()) {
      std::uint64_t grown = 2 * static_cast<std::uint64_t>(content.size());
      if (!regular) grown = std::min<std::uint64_t>(grown, cap + 1);  // one byte over tells "too long"
      content.resize(static_cast<std::size_t>(grown));
    }
    const ssize_t n = ::read(fd, content.data() + used, content.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      fail_io("read", path, err);
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  content.resize(used);
  return content;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  // The output policy first: never an input, never a device, FIFO, folder or symlink.
  if (resolve_output(path).to_stdout) {
    write_all(STDOUT_FILENO, content, path);
    return;
  }
  const std::string target = path.string();
  // The temporary file lives next to the target: rename() is atomic only within one file system.
  // It is created with O_EXCL and mode 0666 rather than mkstemp so the usual umask applies, as it
  // would for a plain write.
  int fd = -1;
  std::string temp;
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = target + ".tmp-" + unique_suffix();
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) break;
  }
  if (fd < 0) fail_io("write", path, errno);
  temp_file_guard guard(temp, fd);

  // Replacing a file keeps its permissions, as editors do; failure here is not worth an error.
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    static_cast<void>(::fchmod(guard.fd(), st.st_mode & 07777));
  }

  write_all(guard.fd(), content, path);
  // Without fsync a crash soon after the rename can leave an empty target on some file systems,
  // which is exactly what the temporary file is meant to prevent.
  if (::fsync(guard.fd()) != 0 && errno != EINVAL && errno != ENOTSUP) fail_io("write", path, errno);
  if (const int err = guard.close(); err != 0) fail_io("write", path, err);
  if (::rename(guard.path().c_str(), target.c_str()) != 0) fail_io("write", path, errno);
  guard.commit();
  note_output(path);
}

}  // namespace metasift::io
