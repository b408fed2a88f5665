#!/bin/bash
# usage: h2c.sh port pid [get|set] [secs]
op=${3:-get}; P=$(echo ${op^}); b=$(awk '{print $14+$15}' /proc/$2/stat)
out=$(h2load -t1 -c1 -m50 -D ${4:-5}s --warm-up-time 1s -d /tmp/${op}body.bin -H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: $(cat /tmp/auth.txt)" -H 'cache: bench' http://127.0.0.1:$1/cache_client.Scs/$P)
a=$(awk '{print $14+$15}' /proc/$2/stat)
rps=$(echo "$out" | grep -oP 'finished in [\d.]+s, \K[\d.]+')
tot=$(echo "$out" | grep -oP 'requests: \K\d+')
echo "$op: $rps req/s, total $tot, cpu $(( (a-b)*10 ))ms => $(echo "scale=1; ($a-$b)*10000/$tot" | bc) us/call; $(echo "$out" | grep -E 'failed|2xx')"
