#!/usr/bin/env bash
# Kill-and-resume check (issue 8): a tiny CPU training run (usp pretrain, the MAE of
# configs/fmnist/pretrain.yaml, on the latents of 256 Fashion-MNIST images, fixed seed, a
# checkpoint every 25 of 600 steps) is killed with SIGKILL at random moments and once while a
# checkpoint file is being written; after every kill the newest checkpoint must load
# (dev.usp.train.reliability.CheckpointProbe) and `--resume` continues. The final checkpoint
# (model and optimiser state) must equal that of an uninterrupted run with the same seed, bit for
# bit or within 1e-6. Prints PASS or FAIL. The latents come from a VAE trained for 2 steps (usp
# train-vae, then usp encode). Bit-exactness needs every scalar operand of the forward pass in
# engine memory (dev.usp.core.engine.Scalars): a DJL scalar freed by a GC corrupts gradients.
#   scripts/kill-resume.sh [OUT_DIR]      (default runs/kill-resume)
# Environment: KR_SEED (seed of the kill moments, default 1), KR_KILLS (random kills, default 3).
# The kill inside a checkpoint write uses the test hook of dev.usp.core.io.AtomicFiles: the JVM
# pauses after the temporary step file is written and before it is renamed; the script kills it
# once that temporary file exists.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/runs/kill-resume}" && cd "${1:-$ROOT/runs/kill-resume}" && pwd)
RANDOM=${KR_SEED:-1}
KILLS=${KR_KILLS:-3}
export OMP_NUM_THREADS=1
JOPTS="-Xmx2g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"
CP="$ROOT/usp-app/target/usp-app-0.1.0-SNAPSHOT.jar:$ROOT/usp-app/target/lib/*"
TRAIN=(pretrain --config "$ROOT/configs/fmnist/pretrain.yaml" --seed 11 --set data.train="$OUT/latents"
  --set batch_size=16 --set epochs=37.5 --set optim.lr=1e-3 --set run.dir="$OUT"
  --set run.checkpoint_every=25 --set run.log_every=25)
FINAL=checkpoints/step-000000600.safetensors
PAUSE="-Dusp.test.atomicWritePauseMs=600000 -Dusp.test.atomicWritePauseMatch=step-.*"
fail() { echo "kill-resume: FAIL: $*"; exit 1; }

"$ROOT/scripts/usp" --version >/dev/null   # builds the jars when they are missing or stale
rm -rf "$OUT/reference" "$OUT/killed" "$OUT/vae" "$OUT/latents"
echo "kill-resume: latents of 256 images through a 2-step VAE ..."
USP_JAVA_OPTS="$JOPTS" "$ROOT/scripts/usp" train-vae --config "$ROOT/configs/fmnist/vae.yaml" --seed 1 --set steps=2 \
  --set batch_size=8 --set data.limit=64 --set data.val_limit=16 --set scale_images=64 --set eval_batch_size=16 \
  --set grid_images=4 --set run.dir="$OUT" --set run.name=vae >"$OUT/setup.log" 2>&1 \
  && USP_JAVA_OPTS="$JOPTS" "$ROOT/scripts/usp" encode --vae "$OUT/vae/vae.safetensors" --out "$OUT/latents" \
    --limit 256 --batch-size 64 >>"$OUT/setup.log" 2>&1 || fail "could not make the latents (see $OUT/setup.log)"
echo "kill-resume: uninterrupted reference run ..."
USP_JAVA_OPTS="$JOPTS" "$ROOT/scripts/usp" "${TRAIN[@]}" --set run.name=reference >"$OUT/reference.log" 2>&1 \
  || fail "the reference run failed (see $OUT/reference.log)"

# kill plan: random moments, with the kill inside a checkpoint write second
plan=(random write)
for ((i = 1; i < KILLS; i++)); do plan+=(random); done
resume=()
n=0
for kind in "${plan[@]}"; do
  n=$((n + 1))
  extra=""
  [ "$kind" = write ] && extra="$PAUSE"
  USP_JAVA_OPTS="$JOPTS $extra" "$ROOT/scripts/usp" "${TRAIN[@]}" --set run.name=killed ${resume[@]+"${resume[@]}"} \
    >>"$OUT/killed.log" 2>&1 &
  pid=$!
  if [ "$kind" = write ]; then
    for ((t = 0; t < 1200; t++)); do
      compgen -G "$OUT/killed/checkpoints/.step-*.tmp" >/dev/null && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    compgen -G "$OUT/killed/checkpoints/.step-*.tmp" >/dev/null || fail "no checkpoint write to interrupt"
    moment="during the write of $(basename "$(compgen -G "$OUT/killed/checkpoints/.step-*.tmp" | head -1)")"
  else
    # a random moment 0-4 s after the segment's first new checkpoint, so that every segment progresses
    last="$OUT/killed/checkpoints/last"
    before=$(cat "$last" 2>/dev/null || true)
    for ((t = 0; t < 1200; t++)); do
      [ "$(cat "$last" 2>/dev/null || true)" != "$before" ] && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    ms=$((RANDOM % 4000))
    sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
    moment="${ms} ms after a new checkpoint"
  fi
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    echo "kill-resume: kill $n ($kind) $moment"
  else
    wait "$pid" || fail "segment $n failed before its kill (see $OUT/killed.log)"
    echo "kill-resume: segment $n finished before its kill moment"
  fi
  line=$(java $JOPTS -cp "$CP" dev.usp.train.reliability.CheckpointProbe "$OUT/killed") \
    || fail "after kill $n: $line"
  echo "kill-resume:   $line"
  resume=(--resume)
done
echo "kill-resume: --resume to the end ..."
USP_JAVA_OPTS="$JOPTS" "$ROOT/scripts/usp" "${TRAIN[@]}" --set run.name=killed --resume >>"$OUT/killed.log" 2>&1 \
  || fail "the final --resume failed (see $OUT/killed.log)"

/usr/bin/python3 - "$OUT/reference/$FINAL" "$OUT/killed/$FINAL" <<'PY' || fail "parameters differ from the uninterrupted run"
import json, struct, sys
import numpy as np
DT = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
      "U8": np.uint8, "I8": np.int8, "BOOL": np.bool_}
def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], DT[v["dtype"]]).reshape(v["shape"])
            for k, v in header.items()}
a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
if a.keys() != b.keys():
    print(f"kill-resume: tensor names differ: {sorted(a.keys() ^ b.keys())[:5]}")
    sys.exit(1)
same = sum(1 for k in a if a[k].tobytes() == b[k].tobytes())
diff = max((float(np.max(np.abs(a[k].astype(np.float64) - b[k].astype(np.float64)))) for k in a if a[k].size),
           default=0.0)
print(f"kill-resume: final checkpoint: {same}/{len(a)} tensors (model + optimiser) bitwise equal, max |diff| {diff:.3g}")
sys.exit(0 if diff <= 1e-6 else 1)
PY
echo "kill-resume: PASS"
