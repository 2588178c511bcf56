#pragma once
// Replacement global allocation functions that count allocations, for the tests that check a
// loop allocates nothing. Include from exactly one source file of a test binary: the
// replacement applies to the whole binary.
//
// Every form is replaced (plain, array, nothrow, sized), all over malloc/free. Replacing only
// some would pair one allocator with another's deallocation: under AddressSanitizer,
// std::stable_sort's temporary buffer (nothrow new) would then be freed by a replaced delete
// and reported as an alloc-dealloc mismatch.

#include <atomic>
#include <cstdlib>
#include <new>

namespace metasift::test {
inline std::atomic<long>& allocation_count() {
  static std::atomic<long> n{0};
  return n;
}
inline void* counted_malloc(std::size_t n) noexcept {
  allocation_count().fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace metasift::test

void* operator new(std::size_t n) {
  if (void* p = metasift::test::counted_malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = metasift::test::counted_malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return metasift::test::counted_malloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return metasift::test::counted_malloc(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
