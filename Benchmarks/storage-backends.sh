#!/usr/bin/env bash
# The same load against the gateway on SQLite, on PostgreSQL with one node, and on PostgreSQL
# with two nodes, in one run on one machine, so that their ratios mean something even where
# the absolute figures move with the machine's other load (docs/performance.md, "SQLite and
# PostgreSQL").
#
#   Benchmarks/storage-backends.sh                    # 10 s per backend, 64 connections, 1 recipient
#   DURATION=5 CONNECTIONS=32 Benchmarks/storage-backends.sh
#
# 1. Builds accord in release mode and makes the development PKI if it is missing.
# 2. Starts a throwaway PostgreSQL server (initdb and pg_ctl from Debian's postgresql package,
#    in a temporary directory, on a free loopback port, as `nobody` when run as root since
#    PostgreSQL refuses root), with fsync and synchronous_commit on: durable commits, as the
#    SQLite store's synchronous=FULL.
# 3. For each backend, starts `accord serve` (release) with the bench's configuration on a
#    fresh database, runs `accord bench` closed loop (1 recipient) over CONNECTIONS
#    connections, the two nodes sharing them evenly, and records accepted messages per second,
#    latency, the CPU of the gateways and of PostgreSQL (postmaster and backends), and CPU per
#    accepted message.
# 4. Prints the three side by side with ratios to SQLite; writes the JSON reports to $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-2}
RECIPIENTS=${RECIPIENTS:-1}
OUT=${OUT:-Benchmarks/results}
SCRATCH=${SCRATCH:-.build}                  # SwiftPM's build directory (--scratch-path)
ACCORD=$SCRATCH/release/accord

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "initdb and pg_ctl not found: apt-get install postgresql" >&2
    exit 1
fi

echo "== building (release)"
swift build -c release --product accord --scratch-path "$SCRATCH" 2>&1 | grep -E "error|Compiling accord|Build complete" || true
[ -f Certificates/dev/ca.pem ] || "$ACCORD" pki init >/dev/null

WORK=$(mktemp -d /tmp/accord-storage-XXXXXX)
chmod 0755 "$WORK"
PG_DIR="$WORK/postgres"
PIDS=()
POSTMASTER=
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    if [ -n "$POSTMASTER" ]; then
        kill -QUIT "$POSTMASTER" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$POSTMASTER" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

mkdir -p "$OUT" "$PG_DIR"
echo "== machine"
echo "nproc: $(nproc)"
echo "uptime: $(uptime)"
{ echo "nproc $(nproc)"; lscpu | head -20; echo "uptime $(uptime)"; ps aux --sort=-%cpu | head -8; } > "$OUT/storage-machine.txt"

echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on a throwaway cluster"
AS_PG=()
if [ "$(id -u)" = 0 ]; then
    chown nobody "$PG_DIR"
    AS_PG=(runuser -u nobody --)
fi
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U accord -A trust -E UTF8 >/dev/null
PG_PORT=$(free_port)
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" start >/dev/null
POSTMASTER=$(head -1 "$PG_DIR/data/postmaster.pid")
for database in one two; do
    "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U accord -d postgres -c "CREATE DATABASE $database" >/dev/null
done

# Starts `accord serve` on the bench's setup for $1 (a name) with database $2; prints host:port and pid.
start_node() {
    local name=$1 database=$2 port
    port=$(free_port)
    "$ACCORD" bench --target "127.0.0.1:$port" --write-setup "$WORK/$name" >/dev/null
    ACCORD_DATABASE=$database "$ACCORD" serve --config "$WORK/$name/accord.yaml" >"$WORK/$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait_for_port "$port" || { tail -20 "$WORK/$name.log" >&2; return 1; }
    NODE_TARGET=127.0.0.1:$port
    NODE_PID=$pid
}

stop_nodes() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    PIDS=()
}

# Runs the bench against the targets and pids given; $1 names the report.
bench() {
    local name=$1 targets=$2; shift 2
    echo "== $name: $CONNECTIONS connections, ${DURATION}s closed loop, $RECIPIENTS recipient(s)"
    "$ACCORD" bench --target "$targets" "$@" --connections "$CONNECTIONS" --duration "$DURATION" \
        --warmup "$WARMUP" --recipients "$RECIPIENTS" --json > "$OUT/storage-$name.json"
}

start_node sqlite "$WORK/sqlite/accord.sqlite"
bench sqlite "$NODE_TARGET" --target-pid "$NODE_PID"
stop_nodes

start_node pg-one "postgresql://accord@127.0.0.1:$PG_PORT/one"
bench postgres-1-node "$NODE_TARGET" --target-pid "$NODE_PID" --database-pid "$POSTMASTER"
stop_nodes

start_node pg-two-a "postgresql://accord@127.0.0.1:$PG_PORT/two"
FIRST_TARGET=$NODE_TARGET FIRST_PID=$NODE_PID
start_node pg-two-b "postgresql://accord@127.0.0.1:$PG_PORT/two"
bench postgres-2-nodes "$FIRST_TARGET,$NODE_TARGET" --target-pid "$FIRST_PID" --target-pid "$NODE_PID" --database-pid "$POSTMASTER"
stop_nodes

echo "uptime after: $(uptime)" >> "$OUT/storage-machine.txt"
python3 - "$OUT" <<'EOF'
import json, os, sys
out = sys.argv[1]
names = [("sqlite", "SQLite, 1 node"), ("postgres-1-node", "PostgreSQL, 1 node"), ("postgres-2-nodes", "PostgreSQL, 2 nodes")]
runs = {name: json.load(open(os.path.join(out, "storage-%s.json" % name)))["runs"][0] for name, _ in names}
base = runs["sqlite"]
print()
print("%-20s %10s %8s %8s %9s %8s %10s %8s %8s  %s" % ("backend", "accepted/s", "p50 ms", "p99 ms", "gw cores", "db cores",
                                                      "cpu ms/msg", "rate x", "cpu x", "other"))
for name, label in names:
    run = runs[name]
    cpu = run.get("cpu_milliseconds_per_message")
    other = " ".join("%s x%d" % item for item in sorted(run["other"].items())) or "-"
    spread = run.get("accepted_by_target")
    if spread:
        other += "  by node: " + " ".join(str(count) for _, count in sorted(spread.items()))
    print("%-20s %10.0f %8.2f %8.2f %9.2f %8s %10s %8.2f %8s  %s" % (
        label, run["accepted_per_second"], run["latency_ms"]["p50"], run["latency_ms"]["p99"], run.get("target_cpu_cores") or 0,
        "%.2f" % run["database_cpu_cores"] if run.get("database_cpu_cores") is not None else "-",
        "%.3f" % cpu if cpu else "-", run["accepted_per_second"] / base["accepted_per_second"],
        "%.2f" % (cpu / base["cpu_milliseconds_per_message"]) if cpu and base.get("cpu_milliseconds_per_message") else "-", other))
EOF
