#!/usr/bin/env bash
# The gateway against nginx on the same machine, in one run, with the same client.
#
#   Benchmarks/gateway-vs-nginx.sh            # 10 s per shape, 64 connections
#   DURATION=5 CONNECTIONS=32 Benchmarks/gateway-vs-nginx.sh
#
# 1. Builds accord in release mode and makes the development PKI if it is missing.
# 2. Starts `accord serve` (release) on a throwaway database with the bench's configuration
#    (raised limits; the shipped agreements plus one bench-only agreement for 4 recipients),
#    and runs `accord bench`: closed loop for 1, 2 and 4 recipients, each followed by an open
#    loop at half the rate it reached; then the gateway's resident memory with HOLD (1,000)
#    agency connections open.
# 3. Starts nginx (installed from Debian's packages if missing) with mutual TLS 1.3 on the
#    gateway's certificate and the development CA, `return 200`, keep-alive, and drives the
#    same load shape (the same SD-JWT bodies, POSTed to /, 200 counted as accepted).
# 4. Prints both and the ratio; writes the JSON reports to $OUT (Benchmarks/results).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
HOLD=${HOLD:-1000}
WARMUP=${WARMUP:-2}
GATEWAY_PORT=${GATEWAY_PORT:-28443}
NGINX_PORT=${NGINX_PORT:-28543}
OUT=${OUT:-Benchmarks/results}
ACCORD=.build/release/accord

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "== installing nginx from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "== building (release)"
swift build -c release --product accord 2>&1 | grep -E "error|Compiling accord|Build complete" || true
[ -f Certificates/dev/ca.pem ] || "$ACCORD" pki init >/dev/null

WORK=$(mktemp -d /tmp/accord-vs-nginx-XXXXXX)
GATEWAY_PID=
NGINX_PID=
cleanup() {
    [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null || true
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

wait_for_port() {
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

mkdir -p "$OUT"
echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep -E "Model name|^CPU\(s\)|Thread|MHz" || true
echo "uptime: $(uptime)"
ps aux --sort=-%cpu | head -6
{ echo "nproc $(nproc)"; lscpu | head -20; echo "uptime $(uptime)"; ps aux --sort=-%cpu | head -8; } > "$OUT/machine.txt"

echo "== accord serve (release) on 127.0.0.1:$GATEWAY_PORT"
"$ACCORD" bench --target "127.0.0.1:$GATEWAY_PORT" --write-setup "$WORK/gateway" >/dev/null
"$ACCORD" serve --config "$WORK/gateway/accord.yaml" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
wait_for_port "$GATEWAY_PORT"

echo "== accord bench against the gateway: $CONNECTIONS connections, ${DURATION}s per shape"
"$ACCORD" bench --target "127.0.0.1:$GATEWAY_PORT" --target-pid "$GATEWAY_PID" --connections "$CONNECTIONS" \
    --duration "$DURATION" --warmup "$WARMUP" --recipients 1,2,4 --half-rate --json > "$OUT/gateway.json"
"$ACCORD" bench --target "127.0.0.1:$GATEWAY_PORT" --target-pid "$GATEWAY_PID" --recipients none \
    --hold-connections "$HOLD" --json > "$OUT/gateway-memory.json"
kill "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true; GATEWAY_PID=

echo "== nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') with mutual TLS 1.3 on 127.0.0.1:$NGINX_PORT, return 200"
PKI=$(pwd)/Certificates/dev
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
chmod -R 777 "$WORK/nginx/tmp"
cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_protocols TLSv1.3;
        ssl_certificate $PKI/gateway/tls.pem;
        ssl_certificate_key $PKI/gateway/tls-key.pem;
        ssl_client_certificate $PKI/ca.pem;
        ssl_crl $PKI/ca.crl;
        ssl_verify_client on;
        ssl_verify_depth 2;
        keepalive_timeout 60s;
        keepalive_requests 10000000;
        client_max_body_size 1m;
        location / { return 200; }
    }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g "daemon off;" &
NGINX_PID=$!
wait_for_port "$NGINX_PORT"

echo "== accord bench against nginx: the same shape (1 recipient bodies, POST /, 200 accepted)"
"$ACCORD" bench --target "127.0.0.1:$NGINX_PORT" --path / --expect-status 200 --connections "$CONNECTIONS" \
    --duration "$DURATION" --warmup "$WARMUP" --recipients 1 --json > "$OUT/nginx.json"
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=

echo "uptime after: $(uptime)" >> "$OUT/machine.txt"
python3 - "$OUT" <<'EOF'
import json, sys, os
out = sys.argv[1]
gateway = json.load(open(os.path.join(out, "gateway.json")))
memory = json.load(open(os.path.join(out, "gateway-memory.json")))["memory"]
nginx = json.load(open(os.path.join(out, "nginx.json")))
def row(name, run):
    l = run["latency_ms"]
    other = " ".join(f"{k}x{v}" for k, v in sorted(run["other"].items())) or "-"
    mode = "closed" if run["mode"] == "closed" else f"open {run['offered_rate']:.0f}/s"
    print(f"{name:<22} {mode:<13} {run['accepted_per_second']:>10.0f} {l['p50']:>8.2f} {l['p90']:>8.2f} {l['p99']:>8.2f} {l['p999']:>9.2f}  {other}")
print()
print(f"{'server':<22} {'mode':<13} {'accepted/s':>10} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9}  other")
for run in gateway["runs"]:
    row(f"gateway {run['recipients']} recipient(s)", run)
nginx_run = nginx["runs"][0]
row("nginx return 200", nginx_run)
one = next(r for r in gateway["runs"] if r["recipients"] == 1 and r["mode"] == "closed")
print()
print(f"gateway RSS with {memory['connections']} agency connections: {memory['resident_bytes_with_connections'] / 1048576:.1f} MB "
      f"(before {memory['resident_bytes_before'] / 1048576:.1f} MB)")
print(f"ratio gateway (1 recipient) / nginx: {one['accepted_per_second'] / nginx_run['accepted_per_second']:.3f} "
      f"({one['accepted_per_second']:.0f} / {nginx_run['accepted_per_second']:.0f} messages/s)")
EOF
