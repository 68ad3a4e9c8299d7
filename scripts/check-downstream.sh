#!/usr/bin/env bash
# Checks what a downstream project that depends on usp-models gets (README "Modules"):
#  1. installs usp-models and what it needs into the local Maven repository (no tests);
#  2. compiles examples/downstream with no profile: its compile classpath must hold no libtorch
#     build and stay under 20 MB;
#  3. runs it with -Pcpu (the CPU libtorch from Maven Central), which builds a SiT.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIMIT_MB=20
MVN="mvn -B -ntp -q"

(cd "$ROOT" && $MVN -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl usp-models -am install)

cd "$ROOT/examples/downstream"
CP="$(mktemp)"
trap 'rm -f "$CP"' EXIT
$MVN compile dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$CP"
if tr ':' '\n' < "$CP" | grep -q 'pytorch-native'; then
  echo "check-downstream: a libtorch build is on the compile classpath without a profile:" >&2
  tr ':' '\n' < "$CP" | grep 'pytorch-native' >&2
  exit 1
fi
BYTES=$(tr ':' '\n' < "$CP" | xargs du -cb | tail -1 | cut -f1)
JARS=$(tr ':' '\n' < "$CP" | grep -c .)
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "check-downstream: usp-models compiles against $JARS jars, $MB MB, no natives"
if [ "$BYTES" -gt $((LIMIT_MB * 1000000)) ]; then
  echo "check-downstream: over the $LIMIT_MB MB a library user should get" >&2
  exit 1
fi
$MVN -Pcpu compile exec:java -Dai.djl.offline=true
