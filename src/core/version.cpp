#include "metasift/core/version.hpp"

namespace metasift {
std::string_view version() noexcept {
  return METASIFT_VERSION_STRING;
}
}  // namespace metasift
