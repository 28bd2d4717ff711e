# Usage: bash bench/gpu/large_on_device.sh first|chunk|check|start NAME|poll NAME
# (device side: issue 30's GPU build with a user's CMAKE_ARGS, issue 29's 1.5B-vs-0.5B HumanEval run)
# first: unpack the carried .gpu/src.tar.gz (git archive of the revision under test) to $W/src
#   and start the CUDA build detached, with CMAKE_ARGS composed as scripts/setup.sh composes
#   them from a user's "-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=90".
# chunk: copy the carried model chunks (.gpu/fx/sNN: the 0.5B, .gpu/fx/lNN: the 1.5B).
# check: wait for the build; show its time, the composed arguments, CMakeCache.txt's entries,
#   llama_supports_gpu_offload() and a load of the 0.5B with every layer offloaded; pack it all
#   into $OUT/cmake-gpu.tgz.
# start NAME: assemble the models present, launch the accuracy bench (all 1,033 single-line
#   tasks) detached; MODEL=1.5b runs it on the 1.5B (WATTCODE_BENCH_MODEL, see boot below).
# poll NAME: wait until done or $POLL s; then pack the report into $OUT/NAME.tgz.
# Ran on an H100 on 2026-12-05 (bench/experiments/first-run and speculative READMEs).
W=/root/wc; T0=$(date +%s); MODE=${1:-poll}; NAME=${2:-}; POLL=${POLL:-60}
ARGS=${ARGS:-"--configs wattcode --workloads accuracy --tasks 1033 --padded-tasks 0"}
env_setup() {
  cd $W/src || exit 2
  mkdir -p $W/boot
  # llama_cpp first (as in accuracy_on_device.sh); WATTCODE_BENCH_MODEL makes the bench's
  # in-process backend, which loads the default model, load that file instead.
  cat >$W/boot/sitecustomize.py <<'PY'
import os

import llama_cpp  # noqa: F401

if os.environ.get("WATTCODE_BENCH_MODEL"):
    import models.model_files as model_files

    _resolve = model_files.resolve_model_path

    def resolve_model_path(configured, on_progress=None):
        return _resolve(configured or os.environ["WATTCODE_BENCH_MODEL"], on_progress)

    model_files.resolve_model_path = resolve_model_path
PY
  export PYTHONPATH="$W/boot:$W/site:$W/src:$W/src/bench" PYTHONUNBUFFERED=1
  export WATTCODE_DATA_DIR="$W/data" WATTCODE_CACHE_DIR="$W/cache" WATTCODE_BENCH_CORPUS="$W/corpus"
}
assemble() {  # assemble 0.5b|1.5b from $W/parts/sNN or lNN; prints the path
  python3 - "$1" <<'PY'
import os
import sys
from pathlib import Path

from models.default_model import assemble
from models.model_table import QWEN25_CODER_05B, QWEN25_CODER_15B

spec, prefix = {"0.5b": (QWEN25_CODER_05B, "s"), "1.5b": (QWEN25_CODER_15B, "l")}[sys.argv[1]]
parts = sorted(Path("/root/wc/parts").glob(prefix + "??"))
print(f"{len(parts)} parts", file=sys.stderr)
print(assemble(Path(os.environ["WATTCODE_DATA_DIR"]) / "models", spec, part_paths=parts))
PY
}
case "$MODE" in
  first)
    mkdir -p $W/src $W/parts /root/stage/.gpu; cp -u .gpu/fx/[sl]?? $W/parts/ 2>/dev/null
    tar xzf .gpu/src.tar.gz -C $W/src && cp .gpu/src.rev $W/src.rev
    cp -r .whl /root/stage/; cp .gpu/lcp-slim.tar.xz /root/stage/.gpu/
    cp bench/gpu/build_on_device.sh /root/stage/
    (cd /root/stage && WATTCODE_SRC=$W/src setsid nohup bash build_on_device.sh \
      >/root/stage/build.out 2>&1 </dev/null &)
    nvidia-smi -L; nproc; command -v ccache || echo "no ccache"; python3 --version
    python3 -c "import scikit_build_core; print('image scikit-build-core', scikit_build_core.__version__)" ;;
  chunk)
    cp -u .gpu/fx/[sl]?? $W/parts/ 2>/dev/null; cp -u .gpu/tiny.gguf $W/ 2>/dev/null; echo "$(ls $W/parts | wc -l) parts"; ls $W/build.* 2>/dev/null ;;
  check)
    cp -u .gpu/fx/[sl]?? $W/parts/ 2>/dev/null; cp -u .gpu/tiny.gguf $W/ 2>/dev/null
    while [ ! -e $W/build.done ] && [ ! -e $W/build.failed ]; do sleep 2; done
    R=$W/reports/cmake-gpu; mkdir -p $R
    {
      echo "== device"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
      echo "== source revision $(cat $W/src.rev)"; ls $W/build.*; cat $W/build.args
      [ -e $W/build.t1 ] && echo "build seconds: $(( $(cat $W/build.t1) - $(cat $W/build.t0) ))"
      echo "== CMakeCache.txt ($W/lcp-build)"
      grep -E '^(GGML_CUDA|LLAVA_BUILD|LLAMA_BUILD_[A-Z]+|CMAKE_PROJECT_llama.cpp_INCLUDE|CMAKE_CUDA_ARCHITECTURES|CMAKE_C_COMPILER_LAUNCHER|CMAKE_CXX_COMPILER_LAUNCHER)[:=]' $W/lcp-build/CMakeCache.txt
      echo "== build.log: compile steps, and any of common / mtmd / httplib"
      # Ninja prints each compile command (' -c SOURCE'), Make a "Building ... object" line.
      echo "compile steps: $(grep -cE ' -c /|Building (C|CXX|CUDA) object' $W/build.log)"
      echo "CUDA compile steps: $(grep -cE ' -x cu -c |Building CUDA object' $W/build.log)"
      echo "common/mtmd/httplib steps: $(grep -E ' -c /|Building .* object' $W/build.log | grep -cE 'llama.cpp/common/|mtmd|httplib')"
      grep -E -- '-DGGML_CUDA|CMAKE_ARGS|cmake .*-S' $W/build.log | head -5
      echo "== installed libraries"; ls $W/site/llama_cpp/lib
    } >$R/check.txt 2>&1
    cp $W/build.log $R/; cp $W/lcp-build/CMakeCache.txt $R/ 2>/dev/null
    if [ -e $W/build.failed ]; then cat $R/check.txt; tail -40 $W/build.log; tar czf $OUT/cmake-gpu.tgz -C $W/reports cmake-gpu; exit 1; fi
    env_setup
    # CHECK_MODEL=tiny: the carried .gpu/tiny.gguf (random weights, the 0.5B's tokenizer: 11 MB
    # where the 0.5B needs 32 calls), else the 0.5B assembled from its chunks.
    if [ "${CHECK_MODEL:-0.5b}" = tiny ]; then M05=$W/tiny.gguf; else M05=$(assemble 0.5b) || exit 3; fi
    python3 - "$M05" >>$R/check.txt 2>$R/offload-stderr.txt <<'PY'
import sys
import time

import llama_cpp

print("== llama_cpp", llama_cpp.__version__, "from", llama_cpp.__file__)
print("model:", sys.argv[1])
print("llama_supports_gpu_offload():", llama_cpp.llama_supports_gpu_offload())
llm = llama_cpp.Llama(model_path=sys.argv[1], n_gpu_layers=-1, n_ctx=2048, verbose=True)
prompt = "def fibonacci(n):\n"
llm("x", max_tokens=1)
t = time.perf_counter()
out = llm(prompt, max_tokens=64, temperature=0.0)
dt = time.perf_counter() - t
n = out["usage"]["completion_tokens"]
print(f"generated {n} tokens in {dt:.3f} s ({n / dt:.0f} tok/s)")
print(repr(out["choices"][0]["text"][:200]))
PY
    echo "== llama.cpp's load log, offload lines" >>$R/check.txt
    grep -iE 'offload|CUDA0|using device' $R/offload-stderr.txt >>$R/check.txt
    mv $R/check.txt $R/check-${CHECK_MODEL:-0.5b}.txt; mv $R/offload-stderr.txt $R/offload-stderr-${CHECK_MODEL:-0.5b}.txt
    nvidia-smi >$R/nvidia-smi.txt 2>&1
    cat $R/check-${CHECK_MODEL:-0.5b}.txt
    tar czf $OUT/cmake-gpu.tgz -C $W/reports cmake-gpu ;;
  start)
    cp -u .gpu/fx/[sl]?? $W/parts/ 2>/dev/null
    env_setup
    if [ "${MODEL:-0.5b}" = tiny ]; then M=$W/tiny.gguf; else M=$(assemble ${MODEL:-0.5b}) || exit 3; fi
    [ "${MODEL:-0.5b}" = 0.5b ] && unset WATTCODE_BENCH_MODEL || export WATTCODE_BENCH_MODEL=$M
    O=$W/reports/$NAME; rm -rf $O $W/$NAME.*
    CMD="python3 -m lsp_server bench $ARGS --out $O"
    echo "$CMD  # model $M" >$W/$NAME.cmd; date -u >$W/$NAME.start
    setsid nohup bash -c "$CMD >$W/$NAME.log 2>&1; echo \$? >$W/$NAME.rc; date -u >$W/$NAME.end" </dev/null >/dev/null 2>&1 &
    echo "launched: $(cat $W/$NAME.cmd)" ;;
  poll)
    cp -u .gpu/fx/[sl]?? $W/parts/ 2>/dev/null; echo "$(ls $W/parts | wc -l) parts"
    while [ ! -e $W/$NAME.rc ] && [ $(( $(date +%s)-T0 )) -lt $POLL ]; do sleep 3; done
    tr '\r' '\n' <$W/$NAME.log | grep -v '^\s*$' | tail -2
    if [ -e $W/$NAME.rc ]; then
      O=$W/reports/$NAME; echo "DONE rc $(cat $W/$NAME.rc)"
      if [ "$(cat $W/$NAME.rc)" != 0 ] || [ ! -e $O/REPORT.md ]; then
        (cd $W/src && PYTHONPATH=$W/site:$W/src:$W/src/bench python3 -c "
import json
from pathlib import Path
from wattcode_bench import report
out = Path('$O'); data = json.loads((out / 'results.json').read_text())
print(report.write_markdown(data, report.plot(data, out), out))" >$O/render.log 2>&1)
      fi
      nvidia-smi >$O/nvidia-smi.txt 2>&1; cp $W/$NAME.log $W/$NAME.cmd $W/$NAME.start $W/$NAME.end $W/$NAME.rc $O/
      tar czf $OUT/$NAME.tgz -C $W/reports $NAME; ls -la $OUT
    fi ;;
esac
