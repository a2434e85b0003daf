# Flags shared by every C target under native/: strict C11 and warnings as errors, so that the probe, the C peer
# and the JNI shim are held to the same standard. Include this after project().

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
# -std=c11, not gnu11: sources ask for the feature macros they need (_DEFAULT_SOURCE, _GNU_SOURCE) themselves.
set(CMAKE_C_EXTENSIONS OFF)

get_property(_ffsock_multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
if(NOT _ffsock_multi_config AND NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# CMake's Release default is -O3; -O2 is what the C peer is compared at, and the same for every target.
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG")

add_compile_options(-Wall -Wextra -Werror)
