#pragma once
// Threading helpers shared by the batch engine's subcommands (private to src/batch).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metasift/batch/stream.hpp"

namespace metasift::batch::detail {

/// Writes strings to an output_sink, on a thread of its own when `threaded`: the producer hands
/// over filled buffers and continues. At most `depth` buffers wait, which bounds memory.
class async_writer {
 public:
  async_writer(output_sink& sink, bool threaded, std::size_t depth = 4);
  ~async_writer();  ///< stops the thread; pending buffers are dropped unless finish() ran
  async_writer(const async_writer&) = delete;
  async_writer& operator=(const async_writer&) = delete;

  /// Hands over `buf` (left empty, capacity kept when possible). Rethrows a writer-thread error.
  void put(std::string& buf);
  /// Writes everything pending and stops the thread; rethrows a writer-thread error.
  void finish();
  /// Drops everything pending (for a restart); the thread keeps running.
  void discard();

 private:
  void loop();
  output_sink& sink_;
  bool threaded_;
  std::size_t depth_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::string> q_;
  std::vector<std::string> spare_;
  bool writing_ = false;
  bool stop_ = false;
  std::exception_ptr err_;
  std::thread thread_;
};

}  // namespace metasift::batch::detail
