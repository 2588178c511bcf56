// byte_source / line_chunker / output_sink: plain and gzip streams through POSIX descriptors and
// zlib's inflate/deflate (so that truncation is detected, which gzread does not report clearly).

#include "metasift/batch/stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/io/output_policy.hpp"

namespace metasift::batch {
namespace {

[[noreturn]] void fail_io(std::string_view verb, const std::string& path, int err) {
  throw io_error("cannot " + std::string(verb) + " '" + path +
                 "': " + std::generic_category().message(err != 0 ? err : EIO));
}

std::size_t read_fd(int fd, char* dst, std::size_t n, const std::string& name) {
  for (;;) {
    const ssize_t r = ::read(fd, dst, n);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno != EINTR) fail_io("read", name, errno);
  }
}

void write_fd(int fd, const char* p, std::size_t n, const std::string& name) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail_io("write", name, errno);
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

constexpr std::size_t io_block = std::size_t{1} << 18;  // 256 KiB reads of compressed data

}  // namespace

// ------------------------------------------------------------------------------------------------
// byte_source

struct byte_source::impl {
  std::string name;
  int fd = -1;
  bool owns_fd = false;
  bool gz = false;
  z_stream zs{};
  bool zs_init = false;
  bool member_done = false;  ///< the last inflate call ended a gzip member
  std::vector<char> in;      ///< compressed input buffer (gzip) or the peeked bytes (plain)
  std::size_t in_pos = 0, in_len = 0;
  bool in_eof = false;
  std::uint64_t consumed = 0;  ///< compressed bytes read, for messages

  ~impl() {
    if (zs_init) inflateEnd(&zs);
    if (owns_fd && fd >= 0) ::close(fd);
  }

  void refill() {
    in_pos = 0;
    in_len = read_fd(fd, in.data(), in.size(), name);
    consumed += in_len;
    if (in_len == 0) in_eof = true;
  }

  [[noreturn]] void truncated() const {
    fail_input(source_position{name, 0, 0}, "",
               "truncated gzip file: the compressed stream ends after " + std::to_string(consumed) +
                   " bytes without its end marker (an interrupted download or copy?)");
  }

  std::size_t read_gz(char* dst, std::size_t n) {
    std::size_t produced = 0;
    while (produced == 0) {
      if (in_pos == in_len && !in_eof) refill();
      if (member_done) {
        // Another member follows (bgzip, or `cat a.gz b.gz`), or the file ends cleanly.
        if (in_pos == in_len && in_eof) return 0;
        if (inflateReset(&zs) != Z_OK) truncated();
        member_done = false;
      }
      zs.next_in = reinterpret_cast<Bytef*>(in.data() + in_pos);
      zs.avail_in = static_cast<uInt>(in_len - in_pos);
      zs.next_out = reinterpret_cast<Bytef*>(dst + produced);
      const auto room = static_cast<uInt>(std::min<std::size_t>(n - produced, 1U << 30U));
      zs.avail_out = room;
      const int rc = inflate(&zs, Z_NO_FLUSH);
      in_pos = in_len - zs.avail_in;
      produced += room - zs.avail_out;
      if (rc == Z_STREAM_END) {
        member_done = true;
      } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
        fail_input(source_position{name, 0, 0}, "",
                   std::string("corrupt gzip data: ") + (zs.msg != nullptr ? zs.msg : "invalid stream"));
      } else if (rc == Z_MEM_ERROR) {
        throw io_error("out of memory decompressing '" + name + "'");
      } else if (rc == Z_BUF_ERROR && in_pos == in_len && in_eof) {
        truncated();  // no input left and no progress possible before the member's trailer
      }
    }
    return produced;
  }
};

byte_source::byte_source(const std::string& path) : p_(std::make_unique<impl>()) {
  impl& s = *p_;
  if (path == "-" || path.empty()) {
    s.name = "<stdin>";
    s.fd = STDIN_FILENO;
  } else {
    s.name = path;
    do {
      s.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (s.fd < 0 && errno == EINTR);
    if (s.fd < 0) fail_io("read", path, errno);
    s.owns_fd = true;
  }
  io::note_input_fd(s.fd);  // so that no output of this process replaces it
  // Peek at the first bytes: 1f 8b is gzip.
  s.in.resize(io_block);
  std::size_t got = 0;
  while (got < 2) {
    const std::size_t r = read_fd(s.fd, s.in.data() + got, s.in.size() - got, s.name);
    if (r == 0) break;
    got += r;
  }
  s.in_len = got;
  s.consumed = got;
  s.in_eof = got == 0;
  s.gz = got >= 2 && static_cast<unsigned char>(s.in[0]) == 0x1f && static_cast<unsigned char>(s.in[1]) == 0x8b;
  if (s.gz) {
    if (inflateInit2(&s.zs, 15 + 16) != Z_OK) throw io_error("cannot initialise zlib for '" + s.name + "'");
    s.zs_init = true;
  }
}

byte_source::~byte_source() = default;

std::size_t byte_source::read(char* dst, std::size_t n) {
  impl& s = *p_;
  if (n == 0) return 0;
  if (s.gz) return s.read_gz(dst, n);
  if (s.in_pos < s.in_len) {  // the peeked bytes first
    const std::size_t take = std::min(n, s.in_len - s.in_pos);
    std::memcpy(dst, s.in.data() + s.in_pos, take);
    s.in_pos += take;
    return take;
  }
  if (s.in_eof) return 0;
  return read_fd(s.fd, dst, n, s.name);
}

const std::string& byte_source::name() const noexcept {
  return p_->name;
}
bool byte_source::compressed() const noexcept {
  return p_->gz;
}

// ------------------------------------------------------------------------------------------------
// line_chunker

line_chunker::line_chunker(byte_source& src, std::size_t target, std::size_t max_line)
    : src_(src), target_(std::max<std::size_t>(target, 4096)), max_line_(max_line) {}

void line_chunker::line_too_long() const {
  fail_input(source_position{src_.name(), lines_ + 1, 0}, "",
             "line longer than " + std::to_string(max_line_) + " bytes (limit max_line_bytes)" +
                 (src_.compressed() ? " after decompression" : ""));
}

bool line_chunker::fill(std::string& buf, std::size_t want) {
  // Appends at least one read to buf unless at the end; returns false at the end.
  if (eof_) return false;
  const std::size_t old = buf.size();
  buf.resize(old + want);
  const std::size_t r = src_.read(buf.data() + old, want);
  buf.resize(old + r);
  if (r == 0) eof_ = true;
  return r > 0;
}

bool line_chunker::first_line(std::string& out) {
  out.clear();
  for (;;) {
    const std::size_t nl = carry_.find('\n');
    if (nl != std::string::npos) {
      out.assign(carry_, 0, nl);
      carry_.erase(0, nl + 1);
      break;
    }
    if (carry_.size() > max_line_) line_too_long();
    if (!fill(carry_, 1U << 16U)) {
      if (carry_.empty()) return false;
      out = carry_;
      carry_.clear();
      break;
    }
  }
  if (out.size() > max_line_) line_too_long();
  ++lines_;
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return true;
}

void line_chunker::check_lines(std::string_view chunk) {
  // Every line but the last was complete before this chunk; the carried part was checked when
  // it was read. Counting lines keeps the position of the error exact.
  std::size_t start = 0;
  for (;;) {
    const std::size_t nl = chunk.find('\n', start);
    if (nl == std::string_view::npos) break;
    if (nl - start > max_line_) line_too_long();
    ++lines_;
    start = nl + 1;
  }
}

bool line_chunker::next(std::string& out) {
  out.clear();
  out.swap(carry_);
  if (out.capacity() < target_ + (target_ >> 2U)) out.reserve(target_ + (target_ >> 2U));
  for (;;) {
    while (out.size() < target_ && fill(out, target_ - out.size())) {
    }
    if (eof_) break;
    const std::size_t nl = out.rfind('\n');
    if (nl != std::string::npos) {
      carry_.assign(out, nl + 1, std::string::npos);
      out.resize(nl + 1);
      check_lines(out);
      return true;
    }
    if (out.size() > max_line_) line_too_long();
    if (!fill(out, target_)) break;  // one line longer than the target: keep reading
  }
  if (out.empty()) return false;
  if (out.back() != '\n') out.push_back('\n');
  check_lines(out);
  return true;
}

std::size_t count_lines(std::string_view text) noexcept {
  std::size_t n = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr) {
    ++n;
    ++p;
  }
  return n;
}

// ------------------------------------------------------------------------------------------------
// output_sink

namespace {

std::string temp_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t x = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  x ^= static_cast<std::uint64_t>(::getpid()) << 32U;
  x += 0x9E3779B97F4A7C15ULL * (counter.fetch_add(1) + 1);
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  x ^= x >> 31U;
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(8, 'x');
  for (char& c : s) {
    c = alphabet[x % 36];
    x /= 36;
  }
  return s;
}

bool ends_with_gz(const std::string& path) {
  return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

}  // namespace

struct output_sink::impl {
  std::string target;
  std::string temp;
  int fd = -1;
  bool stdout_ = false;
  bool direct = false;   ///< written in place (not a regular file): no temporary file, no rename
  bool durable = false;  ///< fsync before the rename
  bool gz = false;
  bool committed = false;
  z_stream zs{};
  bool zs_init = false;
  std::vector<char> zbuf;
  std::uint64_t bytes = 0;
  std::string label() const { return stdout_ ? std::string("<stdout>") : target; }

  ~impl() {
    if (zs_init) deflateEnd(&zs);
    if (!stdout_) {
      if (fd >= 0) ::close(fd);
      if (!committed && !temp.empty()) ::unlink(temp.c_str());
    }
  }

  void init_gz() {
    zs = z_stream{};
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw io_error("cannot initialise zlib for '" + target + "'");
    }
    zs_init = true;
    zbuf.resize(std::size_t{1} << 18U);
  }

  void deflate_some(std::string_view data, int flush) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    do {
      zs.next_out = reinterpret_cast<Bytef*>(zbuf.data());
      zs.avail_out = static_cast<uInt>(zbuf.size());
      const int rc = deflate(&zs, flush);
      if (rc == Z_STREAM_ERROR) throw io_error("zlib error compressing '" + target + "'");
      write_fd(fd, zbuf.data(), zbuf.size() - zs.avail_out, label());
    } while (zs.avail_out == 0 || zs.avail_in > 0);
  }
};

output_sink::output_sink(const std::string& path, bool durable) : p_(std::make_unique<impl>()) {
  impl& s = *p_;
  s.durable = durable;
  if (path.empty() || path == "-") {
    s.stdout_ = true;
    s.fd = STDOUT_FILENO;
    return;
  }
  // The output policy (io/output_policy.hpp): /dev/stdout is standard output; an input of this
  // run, a device, FIFO, folder or symlink at the target is refused rather than replaced.
  if (io::resolve_output(path).to_stdout) {
    s.stdout_ = true;
    s.fd = STDOUT_FILENO;
    return;
  }
  s.target = path;
  s.gz = ends_with_gz(path);
  for (int attempt = 0; attempt < 100; ++attempt) {
    s.temp = path + ".tmp-" + temp_suffix();
    s.fd = ::open(s.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (s.fd >= 0 || errno != EEXIST) break;
  }
  if (s.fd < 0) {
    const int err = errno;
    s.temp.clear();
    fail_io("write", path, err);
  }
  if (s.gz) s.init_gz();
}

output_sink::~output_sink() = default;

void output_sink::write(std::string_view data) {
  impl& s = *p_;
  if (data.empty()) return;
  s.bytes += data.size();
  if (s.gz) {
    // deflate takes at most 4 GiB per call.
    while (!data.empty()) {
      const std::size_t take = std::min<std::size_t>(data.size(), 1U << 30U);
      s.deflate_some(data.substr(0, take), Z_NO_FLUSH);
      data.remove_prefix(take);
    }
  } else {
    write_fd(s.fd, data.data(), data.size(), s.label());
  }
}

void output_sink::commit() {
  impl& s = *p_;
  if (s.committed) return;
  if (s.gz) s.deflate_some({}, Z_FINISH);
  if (s.stdout_) {
    s.committed = true;
    return;
  }
  if (s.direct) {
    const int rc = ::close(s.fd);
    s.fd = -1;
    if (rc != 0) fail_io("write", s.target, errno);
    s.committed = true;
    return;
  }
  // Checked again before the rename: the inputs read since the sink was opened count too.
  static_cast<void>(io::resolve_output(s.target));
  struct stat st {};
  if (::stat(s.target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) static_cast<void>(::fchmod(s.fd, st.st_mode & 07777));
  if (s.durable && ::fsync(s.fd) != 0 && errno != EINVAL && errno != ENOTSUP) fail_io("write", s.target, errno);
  const int rc = ::close(s.fd);
  s.fd = -1;
  if (rc != 0) fail_io("write", s.target, errno);
  if (::rename(s.temp.c_str(), s.target.c_str()) != 0) fail_io("write", s.target, errno);
  s.committed = true;
  io::note_output(s.target);
}

bool output_sink::restart() {
  impl& s = *p_;
  if (s.stdout_ || s.direct) return s.bytes == 0;
  if (::ftruncate(s.fd, 0) != 0 || ::lseek(s.fd, 0, SEEK_SET) != 0) fail_io("write", s.target, errno);
  if (s.gz) {
    deflateEnd(&s.zs);
    s.zs_init = false;
    s.init_gz();
  }
  s.bytes = 0;
  return true;
}

bool output_sink::to_stdout() const noexcept {
  return p_->stdout_;
}
std::uint64_t output_sink::bytes_in() const noexcept {
  return p_->bytes;
}

}  // namespace metasift::batch
