#pragma once
#include <string_view>

namespace metasift {
/// The release version, from the CMake project() call; printed in every output.
[[nodiscard]] std::string_view version() noexcept;
}  // namespace metasift
