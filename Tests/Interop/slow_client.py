"""A slow client (slowloris): starts a request over mutual TLS and trickles its headers one
byte at a time, so the connection is never idle. Prints how long the server let it go on.

  python3 slow_client.py PORT CA CERT KEY
Prints: "closed after <seconds>" or "still open after <seconds>".
"""
import socket
import ssl
import sys
import time

port, ca, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
context.load_cert_chain(cert, key)
with socket.create_connection(("127.0.0.1", port)) as raw:
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"GET /v1/agreements HTTP/1.1\r\nHost: localhost\r\n")
        tls.settimeout(0.25)
        started = time.monotonic()
        header = b"X-Slow: " + b"a" * 100
        for byte in header:
            try:
                tls.sendall(bytes([byte]))
                if tls.recv(1) == b"":
                    print(f"closed after {time.monotonic() - started:.2f}")
                    sys.exit(0)
            except socket.timeout:
                continue
            except (ssl.SSLError, OSError):
                print(f"closed after {time.monotonic() - started:.2f}")
                sys.exit(0)
        print(f"still open after {time.monotonic() - started:.2f}")
