#include "metasift/core/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "metasift/core/check.hpp"
#include "metasift/core/status.hpp"

namespace metasift {

std::string source_position::to_string() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  return out;
}

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20U && u != 0x7FU) {
      out += c;
    } else if (c == '\t') {
      out += c;
    } else if (c == '\0') {
      out += "\\0";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      constexpr char hex[] = "0123456789ABCDEF";
      out += "\\x";
      out += hex[u >> 4U];
      out += hex[u & 0xFU];
    }
  }
  return out;
}

error::error(const std::string& message) : std::runtime_error(escape_controls(message)) {}
error::error(const char* message) : error(std::string(message)) {}

input_error::input_error(source_position where, const std::string& message)
    : error(where.to_string() + ": " + message), where_(std::move(where)), detail_(message) {}

void fail_input(const source_position& where, std::string_view what, std::string_view message) {
  std::string m;
  if (!what.empty()) {
    m.append(what);
    m += ": ";
  }
  m.append(message);
  throw input_error(where, m);
}

void fail_usage(std::string_view option, std::string_view message) {
  std::string m = "option '";
  m.append(option);
  m += "': ";
  m.append(message);
  throw usage_error(m);
}

std::string format_value(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Inf" : "-Inf";
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

std::string_view to_string(fit_status s) noexcept {
  switch (s) {
    case fit_status::ok: return "ok";
    case fit_status::boundary: return "boundary";
    case fit_status::fallback: return "fallback";
    case fit_status::not_converged: return "not_converged";
    case fit_status::degenerate: return "degenerate";
  }
  return "unknown";
}

}  // namespace metasift
