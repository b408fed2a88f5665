#!/bin/bash
# usage: resp-ab.sh  (server running, /tmp/srv.json)
RP=$(jq -r .redisPort /tmp/srv.json); PID=$(jq -r .pid /tmp/srv.json)
redis-benchmark -p $RP -t set -n 100000 -c 50 -d 100 -r 100000 -P 16 -q >/dev/null
redis-benchmark -p 6379 -t set -n 100000 -c 50 -d 100 -r 100000 -P 16 -q >/dev/null
for r in 1 2; do
for t in get set; do
 for P in 1 16; do
  n=$(( P == 1 ? 200000 : 1000000 ))
  b=$(awk '{print $14+$15}' /proc/$PID/stat)
  c=$(redis-benchmark -p $RP -t $t -n $n -c 50 -d 100 -r 100000 -P $P -q 2>/dev/null | grep -oP '[\d.]+(?= requests per second)' | tail -1)
  a=$(awk '{print $14+$15}' /proc/$PID/stat)
  rr=$(redis-benchmark -p 6379 -t $t -n $n -c 50 -d 100 -r 100000 -P $P -q 2>/dev/null | grep -oP '[\d.]+(?= requests per second)' | tail -1)
  echo "$t P$P: cachette $c  redis $rr  ratio $(echo "scale=2; $c/$rr" | bc)  cachette cpu/call $(echo "scale=2; ($a-$b)*10000/$n" | bc) us"
 done
done
done
