#include "pipeline.hpp"

#include <utility>

namespace metasift::batch::detail {

async_writer::async_writer(output_sink& sink, bool threaded, std::size_t depth)
    : sink_(sink), threaded_(threaded), depth_(depth) {
  if (threaded_) thread_ = std::thread([this] { loop(); });
}

async_writer::~async_writer() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(m_);
      stop_ = true;
      q_.clear();
    }
    cv_.notify_all();
    thread_.join();
  }
}

void async_writer::loop() {
  std::unique_lock lock(m_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !q_.empty(); });
    if (q_.empty()) return;  // stop requested and nothing left
    std::string buf = std::move(q_.front());
    q_.pop_front();
    writing_ = true;
    lock.unlock();
    try {
      sink_.write(buf);
    } catch (...) {
      lock.lock();
      err_ = std::current_exception();
      writing_ = false;
      q_.clear();
      cv_.notify_all();
      return;
    }
    buf.clear();
    lock.lock();
    writing_ = false;
    if (spare_.size() < depth_) spare_.push_back(std::move(buf));
    cv_.notify_all();
  }
}

void async_writer::put(std::string& buf) {
  if (!threaded_) {
    sink_.write(buf);
    buf.clear();
    return;
  }
  std::unique_lock lock(m_);
  cv_.wait(lock, [&] { return err_ || q_.size() < depth_; });
  if (err_) std::rethrow_exception(err_);
  q_.push_back(std::move(buf));
  buf.clear();
  if (!spare_.empty()) {
    buf = std::move(spare_.back());
    spare_.pop_back();
  }
  cv_.notify_all();
}

void async_writer::finish() {
  if (!threaded_) return;
  {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return err_ || (q_.empty() && !writing_); });
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (err_) std::rethrow_exception(err_);
}

void async_writer::discard() {
  if (!threaded_) return;
  std::unique_lock lock(m_);
  q_.clear();
  cv_.wait(lock, [&] { return err_ || !writing_; });
  if (err_) std::rethrow_exception(err_);
}

}  // namespace metasift::batch::detail
