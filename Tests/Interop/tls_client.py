"""A Python `ssl` client against Accord's TLS listener.

  python3 tls_client.py PORT CA CERT KEY

Prints one line per check; exits non-zero if a check fails.
"""
import socket
import ssl
import sys
import time

port, ca, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
failures = 0


def context(with_certificate=True):
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(["http/1.1"])
    if with_certificate:
        ctx.load_cert_chain(cert, key)
    return ctx


# 1. A request with the agency's certificate.
with socket.create_connection(("127.0.0.1", port)) as raw:
    with context().wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                break
            data += chunk
        body = data.split(b"\r\n\r\n", 1)[1].decode()
        print("whoami:", body)

# 2. No client certificate: the server refuses (TLS 1.3 sends its alert after the client's Finished).
try:
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with context(with_certificate=False).wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n")
            if tls.recv(65536):
                print("no-certificate: ANSWERED")
                failures += 1
            else:
                print("no-certificate: refused")
except (ssl.SSLError, ConnectionResetError, BrokenPipeError) as error:
    print("no-certificate: refused", type(error).__name__)

# 3. A client that connects and says nothing is closed after the handshake timeout.
with socket.create_connection(("127.0.0.1", port)) as raw:
    raw.settimeout(5)
    start = time.monotonic()
    try:
        closed = raw.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        closed = False
    elapsed = time.monotonic() - start
    print("silent:", "closed by server" if closed and elapsed < 4 else f"NOT closed ({elapsed:.1f}s)")
    failures += 0 if closed and elapsed < 4 else 1

# 4. Our close_notify is answered with the server's.
with socket.create_connection(("127.0.0.1", port)) as raw:
    tls = context().wrap_socket(raw, server_hostname="localhost")
    tls.sendall(b"GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n")
    tls.recv(65536)
    try:
        tls.unwrap()
        print("close_notify: answered")
    except (ssl.SSLError, OSError) as error:
        print("close_notify: NOT answered", error)
        failures += 1

sys.exit(1 if failures else 0)
