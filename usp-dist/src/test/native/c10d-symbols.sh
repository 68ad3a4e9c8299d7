#!/usr/bin/env bash
# The shim's c10d symbol table, from declarations, and what a libtorch exports of it.
#
#   c10d-symbols.sh                 prints "backend role name" for every name the shim looks up, as g++
#                                   mangles c10d-names.cpp (the fixture ../resources/dev/usp/dist/c10d-symbols.txt
#                                   is this output; ShimSymbolTableTest compares the shim's table with it)
#   c10d-symbols.sh LIB.so...       also, for each library: FOUND/MISSING for each name, the size each found
#                                   deleting destructor (D0) hands to sized operator delete, how many
#                                   ProcessGroupNCCL and nccl* symbols it has (dynamic and static tables),
#                                   and its DT_NEEDED libraries
#
# Needs g++, nm, objdump and readelf. Run on DJL's cu128 libtorch_cuda.so (~/.djl.ai/pytorch/2.7.1-*-cu128-*/)
# to check the NCCL half of the table; observed-2.7.1.txt holds what it printed for the libraries at hand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
g++ -std=c++17 -c "$here/c10d-names.cpp" -o "$tmp/names.o"
nm --defined-only "$tmp/names.o" | awk '{print $3}' | grep -E '^_Z(N|TVN)4c10d16ProcessGroup(Gloo|NCCL)' \
  | grep -vE 'C2E|D2E|7OptionsD[01]Ev' | sort -u > "$tmp/names"

role() {
  case "$1" in
    *7OptionsC1E*) echo options-ctor ;;
    _ZTV*7OptionsE) echo options-vtable ;;
    *C1ERK*) echo group-ctor ;;
    *C1EN3c10*) echo group-ctor-alt ;;
    *D1Ev) echo group-D1 ;;
    *D0Ev) echo group-D0 ;;
    _ZTV*) echo group-vtable ;;
    *9allreduce*) echo allreduce ;;
    *9broadcast*) echo broadcast ;;
    *7barrier*) echo barrier ;;
    *) echo unknown ;;
  esac
}

order="options-ctor options-vtable group-ctor group-D1 group-D0 group-vtable allreduce broadcast barrier group-ctor-alt"
for backend in Gloo NCCL; do
  for r in $order; do
    while read -r name; do
      if [[ "$name" == *16ProcessGroup$backend* && "$(role "$name")" == "$r" ]]; then
        echo "$(tr '[:upper:]' '[:lower:]' <<<"$backend") $r $name"
      fi
    done < "$tmp/names"
  done
done | tee "$tmp/table"

for lib in "$@"; do
  echo
  echo "== $lib"
  nm -D --defined-only "$lib" | awk '{print $1, $3}' | sed 's/@.*//' > "$tmp/dyn"
  while read -r backend r name; do
    addr=$(awk -v n="$name" '$2 == n {print $1; exit}' "$tmp/dyn")
    if [[ -z "$addr" ]]; then
      echo "MISSING $backend $r $name"
      continue
    fi
    extra=""
    if [[ "$r" == group-D0 ]]; then
      end=$(printf '0x%x' $((0x$addr + 48)))
      size=$(objdump -d --no-show-raw-insn --start-address=0x$addr --stop-address=$end "$lib" \
        | grep -oE 'mov +\$0x[0-9a-f]+,%esi' | head -1 | grep -oE '0x[0-9a-f]+' || true)
      extra=" (D0 frees ${size:-?} bytes)"
    fi
    echo "FOUND $backend $r $name$extra"
  done < "$tmp/table"
  echo "ProcessGroupNCCL symbols: dynamic $(nm -D "$lib" 2>/dev/null | grep -c 16ProcessGroupNCCL || true)," \
       "static $(nm "$lib" 2>/dev/null | grep -c 16ProcessGroupNCCL || true);" \
       "nccl* functions: $(nm -D "$lib" 2>/dev/null | grep -cE ' (T|U) p?nccl[A-Z]' || true)"
  echo "NEEDED: $(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
done
