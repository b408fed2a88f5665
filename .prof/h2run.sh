#!/bin/bash
# usage: h2run.sh port pid
printf '\x00\x00\x00\x00\x05\x0a\x03abc' > /tmp/getbody.bin
b=$(ps -o cputime= -p $2); 
h2load -t1 -c1 -m50 -D 5s --warm-up-time 1s -d /tmp/getbody.bin -H 'content-type: application/grpc' -H 'te: trailers' http://127.0.0.1:$1/cache_client.Scs/Get | grep -E "req/s|succeeded"
cat /proc/$2/stat | awk '{print "cpu ticks", $14+$15}'
