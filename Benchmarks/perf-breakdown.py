#!/usr/bin/env python3
"""Where the gateway's CPU goes, by subsystem, from `perf script` output of a call-graph profile.

    perf record -F 999 -e cpu-clock -g -p <gateway pid> -o perf.data -- sleep 6
    perf script -i perf.data | python3 Benchmarks/perf-breakdown.py

Each sample goes to the first category, in the order below, that any frame of its stack matches
(so the store writer's own kernel time counts as the store writer's). Swift async functions are
split into partial functions, so a caller's share is its synchronous part only: categories are
the innermost meaningful owners, not a call tree.
"""
import collections
import sys

CATEGORIES = [
    ("store writer: one SQLite transaction per batch (rows, audit leaves, Merkle)", ["AccordStore12BatchApplier", "SQLiteB0C5apply"]),
    ("store reads on the request path (GRDB DatabasePool.read)", ["GRDB12DatabasePoolC4read", "SQLiteB0C7message"]),
    ("SD-JWT verify: parse, ES256 signature, disclosures", ["SDJWTVerifier"]),
    ("redact and key-binding JWT per recipient", ["VerifiedMessageV6redact", "KeyBinder", "GatewayDecision", "PresentationBuilder"]),
    ("audit subject hashes (HMAC of identifiers)", ["subjectHashes", "SubjectKey"]),
    ("agreements decision", ["AccordPolicy"]),
    ("body String.trimmingCharacters (Foundation NSString)", ["trimmingCharacters"]),
    # Matched by the encoding functions' own names: "SubmissionReceipt" alone is also in the
    # mangled name of `submit`, whose return type it is.
    ("receipt / pending delivery JSON", ["JSONEncoder", "SubmissionReceiptV4json", "PendingDeliveryV7encoded"]),
    ("rest of Gateway.submit", ["AccordGateway0B0C6submit"]),
    ("TLS records (OpenSSLHandler)", ["AccordTLS"]),
    ("HTTP server (Hummingbird, NIO HTTP/1)", ["Hummingbird", "NIOHTTP1", "HTTPTypes"]),
    ("NIO event loops (sockets, scheduling)", ["NIOPosix", "NIOCore"]),
    ("Swift concurrency and Dispatch hand-offs", ["swift_job_run", "_dispatch_", "swift_task", "swift::"]),
]

# Libraries built without frame pointers (OpenSSL, SQLite, glibc's malloc) cut the stack short;
# their samples are then named by the library of the innermost frame.
FALLBACKS = [
    ("libcrypto, caller cut off (ECDSA verify/sign, SHA-256, HMAC, AES-GCM)", "libcrypto"),
    ("libsqlite3, caller cut off (the store writer and reads)", "libsqlite3"),
    ("libssl, caller cut off (TLS records)", "libssl"),
    ("malloc/free, caller cut off", "libc.so"),
    ("kernel, no user frame (futex, scheduler, interrupts)", "[kernel"),
]

counts = collections.Counter()
total = 0
stack = []


def flush():
    global total
    if not stack:
        return
    total += 1
    text = "\n".join(stack)
    for name, markers in CATEGORIES:
        if any(marker in text for marker in markers):
            counts[name] += 1
            return
    leaf = stack[0]
    for name, marker in FALLBACKS:
        if marker in leaf:
            counts[name] += 1
            return
    counts["other"] += 1


for line in sys.stdin:
    if not line.strip():
        flush()
        stack = []
    elif line.startswith((" ", "\t")):
        stack.append(line.strip())
flush()

print(f"{'share':>7}  subsystem ({total} samples)")
for name, count in counts.most_common():
    print(f"{100 * count / total:6.1f}%  {name}")
