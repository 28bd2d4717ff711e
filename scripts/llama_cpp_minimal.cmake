# Included by CMake at the end of llama.cpp's own `project()` call when scripts/setup.sh builds
# llama-cpp-python (through -DCMAKE_PROJECT_llama.cpp_INCLUDE, see scripts/llama_cpp_build.py).
#
# llama-cpp-python's CMakeLists.txt forces LLAMA_BUILD_COMMON on with a cache FORCE, so a
# -DLLAMA_BUILD_COMMON=OFF on the command line is overwritten. llama.cpp's `common` library (and
# the cpp-httplib it pulls in) serves only llama.cpp's own programs; the Python binding loads
# libllama and libggml* and never libllama-common. A normal variable set here, in llama.cpp's
# directory scope, shadows the cache entry (policy CMP0077), so `common` is not built.
set(LLAMA_BUILD_COMMON OFF)
