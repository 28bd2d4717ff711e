# Usage: bash variants_on_device.sh first|start|poll   (device side; what made
# bench/results/trimming-gpu-final and trimming-gpu-variants; steps in bench/gpu/README.md)
# first: unpack each carried .gpu/src-vNAME.tar.gz (git archive of a tree) to $W/src-vNAME and
#   start the CUDA build. start: wait for the build, assemble the model from the chunks copied
#   to $W/parts, then run the accuracy bench on each variant in turn, detached, and poll.
# poll: poll until the queue is done or $POLL s; copy each finished report's .tgz into $OUT.
# VARIANTS: "NAME:CONFIGS ..." (the first NAME's source assembles the model and builds), or
#   "NAME:CONFIGS:EXTRA" with EXTRA more bench options, '+' for spaces ("--seed+13"); a NAME
#   with no src-NAME runs on the tree of its part before the first '-' (vts-s13 on src-vts).
# ARGS: the bench's other options (default: the accuracy run); KIND: the reports' name prefix.
W=/root/wc; T0=$(date +%s); MODE=${1:-poll}; POLL=${POLL:-540}
ARGS=${ARGS:-"--workloads accuracy --tasks 10 --padded-tasks 1033"}; KIND=${KIND:-trim}
VARIANTS=${VARIANTS:-"vfinal:no-trim,wattcode"}
FIRST=${VARIANTS%%:*}
tree() { if [ -d $W/src-$1 ]; then echo $1; else echo ${1%%-*}; fi; }
CONFIGS=${CONFIGS:-no-trim,wattcode}
case "$MODE" in
  first)
    mkdir -p $W/parts /root/stage/.gpu
    for t in .gpu/src-v*.tar.gz; do v=$(basename $t .tar.gz); v=${v#src-}; mkdir -p $W/src-$v; tar xzf $t -C $W/src-$v; done
    ls $W
    cp -r .whl /root/stage/; cp -r .gpu/corpus .gpu/lcp-slim.tar.xz /root/stage/.gpu/
    cp $W/src-$(tree $FIRST)/bench/gpu/build_on_device.sh /root/stage/
    (cd /root/stage && setsid nohup bash build_on_device.sh >/root/stage/build.out 2>&1 </dev/null &)
    nvidia-smi -L; nproc ;;
  chunk)
    cp .gpu/fx/c?? $W/parts/ && ls -la $W/parts | tail -3; ls $W/build.* 2>/dev/null ;;
  start)
    while [ ! -e $W/build.done ] && [ ! -e $W/build.failed ]; do sleep 2; done
    echo "build waited $(( $(date +%s)-T0 )) s"; ls $W/build.*
    if [ -e $W/build.failed ]; then tail -50 $W/build.log; exit 1; fi
    mkdir -p "$W/boot" $W/packed $W/reports && echo "import llama_cpp  # noqa" >"$W/boot/sitecustomize.py"
    export PYTHONUNBUFFERED=1 WATTCODE_DATA_DIR="$W/data" WATTCODE_CACHE_DIR="$W/cache" WATTCODE_BENCH_CORPUS="$W/corpus"
    cd $W/src-$(tree $FIRST) && PYTHONPATH="$W/boot:$W/site:$PWD:$PWD/bench" python3 -c "
import os
from pathlib import Path
from models.default_model import assemble
parts = sorted(Path('/root/wc/parts').iterdir())
print('parts:', [p.name for p in parts])
print('model:', assemble(Path(os.environ['WATTCODE_DATA_DIR']) / 'models', part_paths=parts))
" || exit 2
    cat > $W/queue.sh <<QEOF
for spec in $VARIANTS; do
  v=\${spec%%:*}; C=\${spec#*:}; X=\${C#*:}; C=\${C%%:*}; [ "\$X" = "\$C" ] && X=
  t=\$v; [ -d $W/src-\$t ] || t=\${v%%-*}
  cd $W/src-\$t; N=$KIND-\$v; O=$W/reports/\$N
  CMD="python3 -m lsp_server bench --configs \$C $ARGS \${X//+/ } --out \$O"
  echo "\$CMD" >$W/\$N.cmd; date -u >$W/\$N.start
  PYTHONPATH="$W/boot:$W/site:\$PWD:\$PWD/bench" \$CMD >$W/\$N.log 2>&1; echo \$? >$W/\$N.rc; date -u >$W/\$N.end
  if [ "\$(cat $W/\$N.rc)" != 0 ] || [ ! -e \$O/REPORT.md ]; then
    PYTHONPATH=$W/site:\$PWD:\$PWD/bench python3 -c "
import json
from pathlib import Path
from wattcode_bench import report
out = Path('\$O'); data = json.loads((out / 'results.json').read_text())
print(report.write_markdown(data, report.plot(data, out), out))" >\$O/render.log 2>&1
  fi
  nvidia-smi >\$O/nvidia-smi.txt 2>&1; cp $W/\$N.log $W/\$N.cmd $W/\$N.start $W/\$N.end $W/\$N.rc \$O/ 2>/dev/null
  tar czf $W/packed/\$N.tgz -C $W/reports \$N
done
touch $W/queue.done
QEOF
    setsid nohup bash $W/queue.sh >$W/queue.log 2>&1 </dev/null &
    echo launched; MODE=poll ;;
esac
if [ "$MODE" = poll ]; then
  while [ ! -e $W/queue.done ] && [ $(( $(date +%s)-T0 )) -lt $POLL ]; do sleep 5; done
  echo "at $(( $(date +%s)-T0 )) s; $(date -u)"; ls $W/*.rc 2>/dev/null; cat $W/queue.log
  for f in $W/$KIND-*.log; do echo "== $f"; tr '\r' '\n' <$f | grep -v '^\s*$' | tail -2; done
  cp $W/packed/*.tgz $OUT/ 2>/dev/null; ls -la $OUT
  [ -e $W/queue.done ] && echo QUEUE-DONE
fi
