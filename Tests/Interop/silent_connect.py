"""Opens TCP connections that send nothing, not even a TLS ClientHello, and reports whether the
server closed each one on its own: a TLS server never speaks first, so a close seen here was
decided at accept, before any handshake.

  python3 silent_connect.py PORT COUNT [WAIT] [--half-close]
With --half-close each connection shuts its sending side at once, as a TCP health probe
does, and the server should close it promptly. Prints one line per connection: "closed <seconds>" (end of stream or reset, and after how long)
or "open" (nothing within WAIT seconds, default 3).
"""
import socket
import sys
import time

half_close = "--half-close" in sys.argv
arguments = [argument for argument in sys.argv[1:] if argument != "--half-close"]
port, count = int(arguments[0]), int(arguments[1])
wait = float(arguments[2]) if len(arguments) > 2 else 3.0
for _ in range(count):
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        started = time.monotonic()
        if half_close:
            connection.shutdown(socket.SHUT_WR)
        try:
            data = connection.recv(1)
            print("closed" if data == b"" else "data", f"{time.monotonic() - started:.3f}")
        except ConnectionResetError:
            print("closed", f"{time.monotonic() - started:.3f}")
        except socket.timeout:
            print("open")
