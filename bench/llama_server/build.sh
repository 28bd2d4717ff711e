#!/usr/bin/env bash
# Build llama-server, CPU only, from the llama.cpp vendored in the llama-cpp-python sdist that
# pyproject.toml pins: the llama.vim peer of `wattcode bench` (bench/README.md). Offline: the
# build fetches nothing (no Web UI download, no curl, no OpenSSL). The binary goes to
#   ${WATTCODE_CACHE_DIR:-~/.cache/wattcode}/llama-server/<version>/llama-server
# and a second run is a no-op while it exists. About 30 minutes on 2 cores, 2 on 16.
#
#   bench/llama_server/build.sh [--source FILE] [--jobs N] [--isa "avx512 ..."] [--out DIR]
#   bench/llama_server/build.sh --slim FILE    # pack the sources for a machine without network
#
# --source: the sdist (llama_cpp_python-<version>.tar.gz) or a --slim pack; without it the sdist
#   is looked for in the output folder's src/ and, when missing, fetched there with `pip download`
#   (the one step that needs the network). --isa: the instruction sets beyond AVX2/FMA/F16C/BMI2
#   to build for (avx512, avx512_vbmi, avx512_vnni, avx512_bf16, avx_vnni; default: what this
#   machine's /proc/cpuinfo lists), so that the peer computes like wattcode's own llama.cpp,
#   which pip built with -march=native. Built on glibc >= 2.38, glibc_compat.c is linked in so
#   that the binary also runs on glibc 2.36; libstdc++ and libgcc are linked statically.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
version=$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' "$repo/pyproject.toml" | head -1)
cache=${WATTCODE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wattcode}
out=$cache/llama-server/$version
source_file="" jobs=$(nproc) isa="" slim=""
while (($#)); do
    case $1 in
        --source) source_file=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --isa) isa=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --slim) slim=$2; shift 2 ;;
        *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
binary=$out/llama-server
if [[ -z $slim && -x $binary ]]; then
    echo "llama-server: $binary exists (remove it to rebuild)" >&2
    exit 0
fi

sdist=${source_file:-$out/src/llama_cpp_python-$version.tar.gz}
if [[ ! -f $sdist ]]; then
    echo "llama-server: fetching the llama-cpp-python $version sdist into $out/src" >&2
    mkdir -p "$out/src"
    python3 -m pip download --no-deps --no-binary :all: "llama-cpp-python==$version" -d "$out/src"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case $sdist in
    *.tar.xz) tar xJf "$sdist" -C "$work" ;;
    *) tar xzf "$sdist" -C "$work" ;;
esac
src=$(dirname "$(find "$work" -maxdepth 4 -path '*llama.cpp/CMakeLists.txt' | head -1)")
[[ -f $src/CMakeLists.txt ]] || { echo "llama-server: no llama.cpp in $sdist" >&2; exit 1; }

if [[ -n $slim ]]; then
    # What llama-server's build reads: no models, docs, tests, examples, Web UI sources.
    rm -rf "$src"/{models,docs,benches,examples,media,tests,gguf-py,conversion,.git,.github}
    find "$src/tools/ui" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
    tar cJf "$slim" -C "$(dirname "$src")" llama.cpp
    echo "llama-server: sources packed into $slim ($(du -h "$slim" | cut -f1))" >&2
    exit 0
fi

if [[ -z $isa ]]; then
    isa=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' |
        grep -xE 'avx512f|avx512vbmi|avx512_vnni|avx512_bf16|avx_vnni' | tr '\n' ' ' || true)
fi
isa_flags=()
for flag in $isa; do
    case $flag in
        avx512 | avx512f) isa_flags+=(-DGGML_AVX512=ON) ;;
        avx512_vbmi | avx512vbmi) isa_flags+=(-DGGML_AVX512_VBMI=ON) ;;
        avx512_vnni) isa_flags+=(-DGGML_AVX512_VNNI=ON) ;;
        avx512_bf16) isa_flags+=(-DGGML_AVX512_BF16=ON) ;;
        avx_vnni) isa_flags+=(-DGGML_AVX_VNNI=ON) ;;
        *) echo "llama-server: unknown --isa $flag" >&2; exit 2 ;;
    esac
done

link_flags="-static-libstdc++ -static-libgcc"
glibc=$(ldd --version | head -1 | grep -oE '[0-9]+\.[0-9]+$')
if [[ $(printf '%s\n2.38\n' "$glibc" | sort -V | head -1) == 2.38 ]]; then
    cc -std=c11 -O2 -c "$here/glibc_compat.c" -o "$work/glibc_compat.o"
    link_flags+=" $work/glibc_compat.o"
fi

echo "llama-server: building llama.cpp of llama-cpp-python $version (${isa:-AVX2}; $jobs jobs)" >&2
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF "${isa_flags[@]}" \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
    -DCMAKE_EXE_LINKER_FLAGS="$link_flags" >"$work/configure.log" 2>&1 ||
    { tail -40 "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" --target llama-server -j "$jobs"
mkdir -p "$out"
install -m 755 "$work/build/bin/llama-server" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "llama-server: $binary (needs glibc $(objdump -T "$binary" | grep -oE 'GLIBC_[0-9.]+' |
    sort -uV | tail -1 | cut -d_ -f2))" >&2
