#!/bin/sh
# xrd.sh - a throw-away xrootd storage element for tests, on 127.0.0.1 only.
#   xrd.sh start DIR PORT   -> prints the server's pid once it answers; data in DIR/data
#   xrd.sh stop PID         -> stops that server (only the pid it was given) and waits for it
# xrootd refuses to run as root: it runs as nobody (setpriv), DIR/data owned by nobody.
# The LD_PRELOAD shim (BINDLO, built next to the tests) keeps it on loopback.
set -eu
cmd=$1
case $cmd in
start)
	dir=$2 port=$3
	bindlo=${BINDLO:?BINDLO must name the built bindlo.so}
	mkdir -p "$dir/data" "$dir/admin" "$dir/run" "$dir/log"
	cat >"$dir/xrd.cfg" <<CFG
all.export $dir/data
all.adminpath $dir/admin
all.pidpath $dir/run
xrootd.chksum max 2 adler32 md5
CFG
	chmod 755 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R nobody:nogroup "$dir/data" "$dir/admin" "$dir/run" "$dir/log"
		run="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	else
		run=""
	fi
	LD_PRELOAD=$bindlo $run xrootd -I v4 -p "$port" -c "$dir/xrd.cfg" -l "$dir/log/xrd.log" \
		-n "se$port" </dev/null >"$dir/log/stdout" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 100 ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "xrd.sh: xrootd on port $port exited:" >&2
			cat "$dir/log/stdout" "$dir"/log/*/xrd.log >&2 2>/dev/null || true
			exit 1
		fi
		# XrdCl waits out ConnectionWindow (120 s) after a refused connect: keep the probe short
		if XRD_CONNECTIONRETRY=1 XRD_CONNECTIONWINDOW=1 timeout 5 xrdfs "root://127.0.0.1:$port" \
			query config version >/dev/null 2>&1; then
			echo "$pid"
			exit 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	kill "$pid" 2>/dev/null || true
	echo "xrd.sh: xrootd on port $port did not answer in 10 s" >&2
	exit 1
	;;
stop)
	pid=$2
	kill "$pid" 2>/dev/null || exit 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null || true
	;;
*)
	echo "usage: xrd.sh start DIR PORT | stop PID" >&2
	exit 2
	;;
esac
