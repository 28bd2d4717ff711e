# Usage: bash accuracy_on_device.sh start|poll   (device side; what made bench/results/trimming-gpu-all*)
# start: copy the carried chunk(s), wait for the CUDA build, set up the env, assemble the model,
# launch the accuracy bench detached, poll for $POLL s. poll: poll until done or $POLL s; when
# done, render REPORT.md/accuracy.png without the sitecustomize if the bench did not exit 0,
# then pack the report into $OUT.
W=/root/wc; T0=$(date +%s); MODE=${1:-poll}; POLL=${POLL:-540}
NAME=${NAME:-trimming-gpu-all-fixed}; OUTDIR=$W/reports/$NAME
cp "$0" /root/acc2.sh 2>/dev/null || true
setup() {
  cd $W/src
  mkdir -p "$W/boot" && echo "import llama_cpp  # noqa" >"$W/boot/sitecustomize.py"
  export PYTHONPATH="$W/boot:$W/site:$PWD:$PWD/bench" PYTHONUNBUFFERED=1
  export WATTCODE_DATA_DIR="$W/data" WATTCODE_CACHE_DIR="$W/cache" WATTCODE_BENCH_CORPUS="$W/corpus"
  python3 - <<'PY'
import os
from pathlib import Path
from models.default_model import assemble
parts = sorted(Path("/root/wc/parts").iterdir())
print("parts:", [p.name for p in parts])
print("model:", assemble(Path(os.environ["WATTCODE_DATA_DIR"]) / "models", part_paths=parts))
PY
}
launch() {
  N=$1; rm -f $W/acc.done $W/acc.rc; rm -rf $OUTDIR
  CMD="python3 -m lsp_server bench --configs no-trim,wattcode --workloads accuracy --tasks 10 --padded-tasks $N --out $OUTDIR"
  echo "$CMD" >$W/acc.cmd; date -u >$W/acc.start
  setsid nohup bash -c "echo \$\$ >$W/acc.pid; $CMD >$W/acc.log 2>&1; echo \$? >$W/acc.rc; touch $W/acc.done" </dev/null >/dev/null 2>&1 &
  echo "launched: $CMD"
}
render() {
  cd $W/src
  env -u PYTHONPATH PYTHONPATH=$W/site:$W/src:$W/src/bench python3 -c "
import json
from pathlib import Path
from wattcode_bench import report
out = Path('$OUTDIR')
data = json.loads((out / 'results.json').read_text())
figs = report.plot(data, out)
print(report.write_markdown(data, figs, out))
" >$OUTDIR/render.log 2>&1
  echo "render rc $?"; cat $OUTDIR/render.log
}
poll() {
  while [ ! -e $W/acc.done ] && [ $(( $(date +%s)-T0 )) -lt $POLL ]; do sleep 3; done
  echo "at $(( $(date +%s)-T0 )) s (call), started $(cat $W/acc.start), now $(date -u)"
  tr '\r' '\n' <$W/acc.log | grep -v '^\s*$' | tail -6
  if [ -e $W/acc.done ]; then
    RC=$(cat $W/acc.rc); echo "DONE rc $RC"; ls -la $OUTDIR
    if [ "$RC" != 0 ] || [ ! -e $OUTDIR/REPORT.md ]; then
      [ -e $OUTDIR/results.json ] && render || echo "NO results.json"
    fi
    nvidia-smi >$OUTDIR/nvidia-smi.txt 2>&1; cp $W/acc.log $W/acc.cmd $W/acc.start $W/acc.rc $OUTDIR/ 2>/dev/null
    tar czf $OUT/$NAME.tgz -C $W/reports $NAME; ls -la $OUT
    tail -c 2000 $W/acc.log
  else
    echo NOT-DONE
  fi
}
case "$MODE" in
  start)
    nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    cp .gpu/fx/part1? $W/parts/ 2>/dev/null; ls -la $W/parts
    while [ ! -e $W/build.done ] && [ ! -e $W/build.failed ]; do sleep 2; done
    echo "build waited $(( $(date +%s)-T0 )) s"; ls $W/build.*
    if [ -e $W/build.failed ]; then tail -50 $W/build.log; exit 1; fi
    setup || exit 2
    launch ${2:-1033}; poll ;;
  poll) poll ;;
esac
