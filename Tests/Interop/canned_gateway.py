"""A stand-in for the gateway's agency API over mutual TLS that answers with fixed text, for
testing how the `accord` client reads answers it did not expect.

  python3 canned_gateway.py CA CERT KEY ANSWERS.json

ANSWERS maps a request path (without the query) to {"status": N, "body": "..."}; any other
path gets 404. Prints the port it listens on (127.0.0.1), then serves one connection at a time,
each requiring a client certificate from CA, until it is killed.
"""
import json
import socket
import ssl
import sys

ca, cert, key, answers_file = sys.argv[1:5]
with open(answers_file, encoding="utf-8") as handle:
    answers = json.load(handle)

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.set_alpn_protocols(["http/1.1"])

listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)

while True:
    raw, _ = listener.accept()
    raw.settimeout(30)
    try:
        with ctx.wrap_socket(raw, server_side=True) as tls:
            buffered = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                buffered += chunk
                while b"\r\n\r\n" in buffered:
                    head, buffered = buffered.split(b"\r\n\r\n", 1)
                    path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode().split("?", 1)[0]
                    answer = answers.get(path, {"status": 404, "body": '{"code": "not-found", "detail": "no such path"}'})
                    body = answer["body"].encode()
                    tls.sendall(b"HTTP/1.1 %d Canned\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                                % (answer["status"], len(body), body))
    except (ssl.SSLError, OSError):
        continue
