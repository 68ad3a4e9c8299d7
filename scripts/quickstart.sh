#!/usr/bin/env bash
# USP in miniature on Fashion-MNIST, end to end on the CPU (about 24 minutes on 2 idle cores, longer under load; --quick:
# a few minutes, a smoke test whose numbers mean nothing). Installs the dataset when missing
# (Debian/Ubuntu, as root), builds, runs `usp quickstart`, and prints where report.md is.
# Extra arguments go to `usp quickstart` (e.g. --quick, --out DIR, --data-dir DIR, --device gpu).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

data_dir=/usr/share/datasets/fashion-mnist
if [[ " $* " != *" --data-dir "* ]] && [ ! -d "$data_dir" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's dataset-fashion-mnist into $data_dir"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist
  else
    echo "Fashion-MNIST is missing: run 'sudo apt-get install dataset-fashion-mnist'" >&2
    echo "or download the four IDX .gz files and pass --data-dir DIR" >&2
    exit 2
  fi
fi

# One intra-op thread: the miniature models are many small ops, where OpenMP threads spin more
# than they help on two cores (measured 8x faster on a shared 2-core machine).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export USP_JAVA_OPTS="${USP_JAVA_OPTS:--Xmx10g} -Dai.djl.pytorch.num_threads=${OMP_NUM_THREADS} -Dai.djl.pytorch.num_interop_threads=1"
exec "$ROOT/scripts/usp" quickstart "$@"
