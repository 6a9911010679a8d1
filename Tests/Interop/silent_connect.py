"""Opens TCP connections that send nothing, not even a TLS ClientHello, and reports whether the
server closed each one on its own: a TLS server never speaks first, so a close seen here was
decided at accept, before any handshake.

  python3 silent_connect.py PORT COUNT [WAIT]
Prints one line per connection: "closed <seconds>" (end of stream or reset, and after how long)
or "open" (nothing within WAIT seconds, default 3).
"""
import socket
import sys
import time

port, count = int(sys.argv[1]), int(sys.argv[2])
wait = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
for _ in range(count):
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        started = time.monotonic()
        try:
            data = connection.recv(1)
            print("closed" if data == b"" else "data", f"{time.monotonic() - started:.3f}")
        except ConnectionResetError:
            print("closed", f"{time.monotonic() - started:.3f}")
        except socket.timeout:
            print("open")
