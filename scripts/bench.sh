#!/usr/bin/env bash
# Java (DJL 0.36 / libtorch 2.7.1) against PyTorch eager (Debian's torch 1.13, /usr/bin/python3),
# row by row, A/B interleaved in one invocation: for each row java, python, java, python, ...
# Every configuration runs in its own process, so peak RSS (VmHWM) is per configuration. Prints
# the table last and writes bench/RESULTS.md (table, machine, MFU; bench/ANALYSIS.md appended) and
# the raw per-process lines to bench/RESULTS.jsonl.
#
# Usage: scripts/bench.sh [--threads N] [--rounds N] [--rows a,b,...] [--conv KERNELS] [--kernels K] [--mkl M] [--malloc M] [--out FILE]
#   --threads  intra-op threads on both sides (default 1: this box has 2 shared cores)
#   --rounds   java/python pairs per row (default 2); the table shows the median over rounds
#   --rows     subset of: matmul mae-tiny mae-small dit-s2 sit-s2 vae-fmnist vae-sd vae-train
#              ddpm-tiny fd-10k op-overhead gelu-tanh adamw-only (the last three: micro-measurements)
#   --conv     the Java side's convolution kernels, -Dusp.conv=KERNELS (dev.usp.core.engine.Numerics):
#              onednn-padded (the default), native or onednn; used as asked (the bench runs no
#              self-check, so no fallback), and named in the report. PyTorch's side is unchanged.
#   --kernels  the Java side's fused kernels, -Dusp.kernels=KERNELS (dev.usp.core.engine.Kernels):
#              fused (the default) or composed (DJL ops); named in the report.
#   --mkl      the Java side's oneMKL dispatch, -Dusp.mkl=M (dev.usp.core.engine.MklDispatch): features
#              (the default: kernels by instruction set on any CPU vendor) or vendor (MKL as shipped:
#              its generic path on non-Intel CPUs); the code path is named in the report.
#   --malloc   the Java side's glibc malloc setting, -Dusp.malloc=M (dev.usp.core.engine.MallocTuning):
#              retain (the default: freed tensor memory stays for the next step) or default (glibc's).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
THREADS=1
ROUNDS=2
ROWS="matmul mae-tiny mae-small dit-s2 sit-s2 vae-fmnist vae-sd vae-train ddpm-tiny fd-10k op-overhead gelu-tanh adamw-only"
CONV=""
KERNELS=""
MKL=""
MALLOC=""
OUT="$ROOT/bench/RESULTS.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --rows) ROWS=${2//,/ }; shift 2 ;;
    --conv) CONV=$2; shift 2 ;;
    --kernels) KERNELS=$2; shift 2 ;;
    --mkl) MKL=$2; shift 2 ;;
    --malloc) MALLOC=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "bench.sh: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ "$ROUNDS" -ge 1 ] && [ "$THREADS" -ge 1 ] || { echo "bench.sh: --rounds and --threads must be >= 1" >&2; exit 2; }
case "$CONV" in
  ""|onednn-padded|native|onednn) ;;
  *) echo "bench.sh: --conv takes onednn-padded, native or onednn, not '$CONV'" >&2; exit 2 ;;
esac
case "$KERNELS" in
  ""|fused|composed) ;;
  *) echo "bench.sh: --kernels takes fused or composed, not '$KERNELS'" >&2; exit 2 ;;
esac
case "$MKL" in
  ""|features|vendor) ;;
  *) echo "bench.sh: --mkl takes features or vendor, not '$MKL'" >&2; exit 2 ;;
esac
case "$MALLOC" in
  ""|retain|default) ;;
  *) echo "bench.sh: --malloc takes retain or default, not '$MALLOC'" >&2; exit 2 ;;
esac

JAR="$ROOT/usp-app/target/usp-app-0.1.0-SNAPSHOT.jar"
LIB="$ROOT/usp-app/target/lib"
if [ ! -f "$JAR" ] || [ ! -d "$LIB" ] || \
   [ -n "$(find "$ROOT"/usp-*/src/main "$ROOT"/pom.xml "$ROOT"/usp-*/pom.xml -newer "$JAR" -print -quit)" ]; then
  # the launcher's jar and lib/ come from usp-app: building only usp-eval would leave both stale
  echo "bench: building usp-app (mvn package -DskipTests) ..." >&2
  (cd "$ROOT" && mvn -B -ntp -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
    -pl usp-app -am package) >&2
fi

export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
JAVA=(java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS"
      -Dai.djl.pytorch.num_interop_threads=1 ${CONV:+"-Dusp.conv=$CONV"} ${KERNELS:+"-Dusp.kernels=$KERNELS"}
      ${MKL:+"-Dusp.mkl=$MKL"} ${MALLOC:+"-Dusp.malloc=$MALLOC"}
      -cp "$JAR:$LIB/*" dev.usp.app.bench.BenchMain)
PY=(/usr/bin/python3 "$ROOT/scripts/bench/torch_bench.py" --threads "$THREADS")
LOG="${OUT%.md}.jsonl"   # the raw per-process lines, kept next to the results
mkdir -p "$(dirname "$OUT")"
: > "$LOG"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)

run() {  # side, row, command...
  local side=$1 row=$2; shift 2
  local t0=$SECONDS line
  if line=$("$@" 2>/dev/null | grep '^BENCH ' | tail -1) && [ -n "$line" ]; then
    echo "${line#BENCH }" >> "$LOG"
    echo "bench: $row $side done in $((SECONDS - t0)) s" >&2
  else
    echo "{\"row\": \"$row\", \"side\": \"$side\", \"failed\": true}" >> "$LOG"
    echo "bench: $row $side FAILED (rerun: $*)" >&2
  fi
}

for row in $ROWS; do
  for ((r = 1; r <= ROUNDS; r++)); do
    run java "$row" "${JAVA[@]}" "$row"
    run torch "$row" "${PY[@]}" "$row"
  done
done

/usr/bin/python3 "$ROOT/scripts/bench/report.py" --log "$LOG" --out "$OUT" --threads "$THREADS" \
  --rounds "$ROUNDS" --seconds $(( $(date +%s) - START )) --load-before "$LOAD_BEFORE" \
  --analysis "$ROOT/bench/ANALYSIS.md"
