# Compile options shared by every metasift target, carried by one INTERFACE target so that
# each module opts in with a single target_link_libraries line.
add_library(metasift_options INTERFACE)
add_library(metasift::options ALIAS metasift_options)
target_compile_features(metasift_options INTERFACE cxx_std_20)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(metasift_options INTERFACE -Wall -Wextra -Wshadow -Wconversion -Wpedantic)
  # GCC 12 reports overlapping memcpy inside std::string's operator+ at -O2/-O3 where there is
  # none (GCC bugs 105329 and 105651), so under -Werror ordinary string concatenation would fail.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(metasift_options INTERFACE -Wno-restrict)
  endif()
  if(METASIFT_WERROR)
    target_compile_options(metasift_options INTERFACE -Werror)
  endif()
endif()
if(METASIFT_SANITIZE)
  target_compile_options(metasift_options INTERFACE -fsanitize=${METASIFT_SANITIZE} -fno-omit-frame-pointer
                                                    -fno-sanitize-recover=all)
  target_link_options(metasift_options INTERFACE -fsanitize=${METASIFT_SANITIZE})
endif()

# metasift_add_module(<name> SOURCES ... [HEADERS ...] DEPENDS ... PRIVATE_DEPENDS ...)
# Defines metasift_<name> with alias metasift::<name>; public headers live in include/metasift/<name>/,
# or, for a module that shares another's folder, are the HEADERS listed (paths under
# include/metasift/; tools/check_layers.py reads them to map an include to its module).
function(metasift_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;HEADERS;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  list(TRANSFORM ARG_HEADERS PREPEND ${PROJECT_SOURCE_DIR}/include/metasift/)
  add_library(metasift_${name} STATIC ${ARG_SOURCES} ${ARG_HEADERS})
  add_library(metasift::${name} ALIAS metasift_${name})
  target_include_directories(metasift_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>)
  target_link_libraries(metasift_${name} PUBLIC ${ARG_DEPENDS} PRIVATE metasift::options ${ARG_PRIVATE_DEPENDS})
endfunction()
