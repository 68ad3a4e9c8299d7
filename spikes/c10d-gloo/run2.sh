#!/bin/bash
# usage: run2.sh MainClass args-after-rank-world...   (launches rank 0 and rank 1 on localhost)
cd /tmp/spike
CP="classes:$(ls lib/*.jar | tr '\n' ':')"
MAIN=$1; shift
rm -f /tmp/spike/filestore
java $JAVA_OPTS -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" $MAIN 0 2 "$@" > out.rank0.log 2>&1 &
P0=$!
sleep 0.5
java $JAVA_OPTS -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" $MAIN 1 2 "$@" > out.rank1.log 2>&1 &
P1=$!
( sleep 240; kill $P0 $P1 2>/dev/null ) & W=$!
wait $P0; echo "rank0 rc=$?"; wait $P1; echo "rank1 rc=$?"
kill $W 2>/dev/null
