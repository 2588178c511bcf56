#pragma once
// Sequential input and output for the batch engine: files or standard streams, plain or gzip,
// read in chunks of whole lines and written through a buffer. Nothing here seeks, so every
// subcommand built on it works as a pipe (Spark RDD.pipe, Glow's pipe transformer, shell pipes).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "metasift/core/limits.hpp"

namespace metasift::batch {

/// A file ("-" for standard input), plain or gzip. Gzip is recognised by its magic bytes, not by
/// the name; concatenated gzip members (bgzip files) are read as one stream.
class byte_source {
 public:
  /// Opens the file; throws io_error when it cannot be opened.
  explicit byte_source(const std::string& path);
  ~byte_source();
  byte_source(const byte_source&) = delete;
  byte_source& operator=(const byte_source&) = delete;

  /// Reads up to n bytes; returns 0 only at the end. Throws io_error on a read error and
  /// input_error ("truncated gzip file") when a gzip stream ends before its trailer, or on
  /// corrupt compressed data.
  std::size_t read(char* dst, std::size_t n);
  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] bool compressed() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

/// Splits a byte_source into chunks of whole lines ('\n'-terminated; a last line without a newline
/// gets one). Chunks are about `target` bytes, larger when a single line is longer. A line longer
/// than `max_line` (limits::max_line_bytes) throws input_error naming the limit and the line, so
/// an endless line (/dev/zero, a gzip bomb of one line) stops after bounded memory.
class line_chunker {
 public:
  explicit line_chunker(byte_source& src, std::size_t target = std::size_t{1} << 20,
                        std::size_t max_line = limits::max_line_bytes);
  /// Replaces `out` with the next chunk; false at the end of the input.
  bool next(std::string& out);
  /// Reads and returns the first line (without its line end), or false when the input is empty.
  /// Must be called before next().
  bool first_line(std::string& out);

 private:
  bool fill(std::string& buf, std::size_t want);
  [[noreturn]] void line_too_long() const;
  void check_lines(std::string_view chunk);
  byte_source& src_;
  std::size_t target_;
  std::size_t max_line_;
  std::uint64_t lines_ = 0;  ///< complete lines handed out so far
  std::string carry_;
  bool eof_ = false;
};

/// Number of '\n' in a text.
[[nodiscard]] std::size_t count_lines(std::string_view text) noexcept;

/// Where output goes: standard output ("-", empty or /dev/stdout), or a file that is written to a
/// temporary file beside it and renamed over it by commit(), so a failed run never leaves a
/// partial output. The output policy (io/output_policy.hpp) applies: an input of this process or
/// a target that is not a regular file (device, FIFO, symlink) is refused with an io_error.
/// A name ending in ".gz" is gzip-compressed (zlib level 1: fast, ~15% larger than level 6).
/// With `durable`, commit() fsyncs the file before the rename (as io::write_file_atomic does), so
/// that even a power failure cannot leave an empty target; without it the rename still makes the
/// output appear complete or not at all for every reader, and a large output does not wait for
/// the disk (flushing 150 MB took 25 s on the shared benchmark machine, 20x the analysis).
class output_sink {
 public:
  explicit output_sink(const std::string& path, bool durable = false);
  ~output_sink();  ///< removes the temporary file unless committed
  output_sink(const output_sink&) = delete;
  output_sink& operator=(const output_sink&) = delete;

  void write(std::string_view data);
  /// Finishes the stream (gzip trailer), flushes, fsyncs and renames. Throws io_error.
  void commit();
  /// Drops everything written so far (files only: truncates the temporary file). False for stdout
  /// once anything has been written.
  bool restart();
  [[nodiscard]] bool to_stdout() const noexcept;
  [[nodiscard]] std::uint64_t bytes_in() const noexcept;  ///< uncompressed bytes written

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace metasift::batch
