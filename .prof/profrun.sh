#!/bin/bash
# usage: profrun.sh op  (server must be running with /tmp/srv.json)
P=$(jq -r .port /tmp/srv.json); PID=$(jq -r .pid /tmp/srv.json)
(sleep 1.5; kill -USR2 $PID; sleep 3; kill -USR1 $PID) &
./h2c.sh $P $PID ${1:-get} 5
wait; sleep 1
node top.mjs /tmp/load.cpuprofile ${2:-50}
