"""A Python `ssl` server for Accord's TLS client: what the client sends, seen from outside.

  python3 tls_server.py CA CERT KEY CONNECTIONS

Prints the port it listens on (127.0.0.1), then accepts CONNECTIONS connections one after
the other, each requiring a client certificate. To each HTTP request it answers with what it
saw: the SNI name, ALPN, TLS version and the client certificate's URIs. When the client ends
the connection it prints one line saying whether close_notify came first.
"""
import socket
import ssl
import sys

ca, cert, key, connections = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.set_alpn_protocols(["http/1.1"])
server_names = []
ctx.sni_callback = lambda _socket, name, _context: server_names.append(name)

listener = socket.create_server(("127.0.0.1", 0))
# A safety net only: a loaded machine can take a while to reach the first connection.
listener.settimeout(120)
print(listener.getsockname()[1], flush=True)

for index in range(connections):
    raw, _ = listener.accept()
    raw.settimeout(10)
    server_names.clear()
    # suppress_ragged_eofs=False: an EOF without close_notify raises instead of reading as b"".
    with ctx.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False) as tls:
        uris = [value for kind, value in tls.getpeercert().get("subjectAltName", ()) if kind == "URI"]
        seen = "sni=%s alpn=%s version=%s client=%s" % (
            server_names[-1] if server_names else None, tls.selected_alpn_protocol(), tls.version(), ",".join(uris))
        buffered = b""
        try:
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    print("%d: close_notify" % index, flush=True)
                    break
                buffered += chunk
                while b"\r\n\r\n" in buffered:
                    _, buffered = buffered.split(b"\r\n\r\n", 1)
                    body = seen.encode()
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        except (ssl.SSLError, OSError) as error:
            print("%d: ended without close_notify (%s)" % (index, error), flush=True)
