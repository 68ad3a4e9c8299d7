#!/usr/bin/env bash
# Memory soak (issue 8): N real training steps on synthetic latents in one JVM - DiT/SiT training
# (forward, backward, AdamW, EMA, metrics, checkpoints) or, with --stage pretrain, MAE pretraining
# (masking, forward, backward, AdamW, metrics, checkpoints); samples RSS (/proc VmRSS) and the used
# heap every K steps, writes OUT/soak.csv and OUT/soak.png, and exits non-zero when the RSS grew by
# the limit or more from the warm-up step to the end.
#   scripts/soak.sh                                   5,000 DiT-M/2 steps, batch 8, 8x8x4 latents
#   scripts/soak.sh --model DiT-B/2 --latent-size 32 --batch 2 --steps 200 --every 20 --warmup 40
#   scripts/soak.sh --stage pretrain --steps 2000 --out runs/soak-pretrain   vit_mini_patch_vae MAE
# Options (all passed on to dev.usp.app.MemorySoak; --help lists them):
#   --stage generator|pretrain (generator)  --steps N (5000)  --every K (100)  --warmup W (500)
#   --model NAME (DiT-M/2; pretrain: vit_mini_patch_vae)  --batch B (8)  --latent-size S (8)
#   --max-growth PCT (5)  --out DIR (runs/soak)  --seed S (0)
# Environment: SOAK_JAVA_OPTS (default: a 1 GB heap, pre-touched, so that RSS growth is native
# memory, not the heap growing into its limit); one intra-op thread unless OMP_NUM_THREADS is set.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/runs/soak"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
"$ROOT/scripts/usp" --version >/dev/null   # builds the jars when they are missing or stale
rm -rf "$OUT/run" "$OUT/latents"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# shellcheck disable=SC2086
exec java ${SOAK_JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch} -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads="$OMP_NUM_THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$ROOT/usp-app/target/usp-app-0.1.0-SNAPSHOT.jar:$ROOT/usp-app/target/lib/*" \
  dev.usp.app.MemorySoak --out "$OUT" ${args[@]+"${args[@]}"}
