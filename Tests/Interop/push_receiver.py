#!/usr/bin/env python3
"""A receiving agency system for Accord push delivery (docs/api.md, "Push delivery").

It listens over HTTPS, requires the gateway's client certificate (issued by the CA in
--client-ca), and files each delivery by its id: a delivery pushed twice (delivery is at
least once) is filed once. Standard library only.

    python3 push_receiver.py --port 8443 --cert server.pem --key server-key.pem \
        --client-ca gateway-ca.pem --inbox ./deliveries [--fail-first 2]

Each POST is logged as one JSON line on --log (the test reads it): the delivery id, the
status answered, whether the header and the body agreed, and (with --pki, given the sending
agencies' signing certificates) whether the presentation verified with the `sd-jwt` reference
library, bound to --agency with the delivery id as nonce. --fail-first N answers the
first N POSTs with 503, as a system that is briefly overloaded would; --delay-ms answers late.
"""
import argparse
import http.server
import json
import os
import ssl
import threading
import time

lock = threading.Lock()
state = {"posts": 0}


def verify_presentation(args, item):
    """The sd-jwt reference verifier's check of the pushed presentation, or False."""
    from sd_jwt.verifier import SDJWTVerifier
    from sdjwt_common import jwk_from

    sender = item.get("from", "")
    if not all(c.isalnum() or c in ".-" for c in sender):
        return False
    # The sender's signing certificate, as the receiving system knows it from its partners.
    with open(os.path.join(args.pki, "agencies", sender, "signing.pem")) as f:
        issuer_public = jwk_from(f.read())
    try:
        SDJWTVerifier(item["presentation"], lambda iss, header: issuer_public,
                      expected_aud=args.agency, expected_nonce=item["delivery_id"]).get_verified_payload()
        return True
    except Exception:  # any refusal by the reference verifier
        return False


def make_handler(args):
    class Receiver(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            delivery_id = self.headers.get("Accord-Delivery-Id", "")
            with lock:
                state["posts"] += 1
                failing = state["posts"] <= args.fail_first
            time.sleep(args.delay_ms / 1000)
            status = 503 if failing else 200
            consistent = False
            verified = None
            if not failing:
                try:
                    item = json.loads(body)
                    consistent = (self.headers.get("Content-Type", "").startswith("application/json")
                                  and item.get("delivery_id") == delivery_id)
                    if consistent and args.pki:
                        verified = verify_presentation(args, item)
                except ValueError:
                    consistent = False
                if consistent and all(c.isalnum() or c in "-_" for c in delivery_id):
                    # Filed by delivery id: a second push of the same delivery replaces the first.
                    path = os.path.join(args.inbox, delivery_id + ".json")
                    with open(path + ".tmp", "wb") as f:
                        f.write(body)
                    os.replace(path + ".tmp", path)
                else:
                    status = 400
            peer = self.connection.getpeercert() or {}
            names = [value for kind, value in peer.get("subjectAltName", ()) if kind == "URI"]
            with lock, open(args.log, "a") as log:
                log.write(json.dumps({"delivery_id": delivery_id, "status": status, "consistent": consistent,
                                      "verified": verified, "client": names}) + "\n")
            payload = b"{}" if status == 200 else b'{"error": "try later"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *values):
            pass

    return Receiver


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True, help="this system's server certificate (PEM)")
    parser.add_argument("--key", required=True, help="its private key (PEM)")
    parser.add_argument("--client-ca", required=True, help="the CA that issued the gateway's push client certificate")
    parser.add_argument("--inbox", required=True, help="directory where deliveries are filed by id")
    parser.add_argument("--log", required=True, help="file to which one JSON line per POST is appended")
    parser.add_argument("--agency", help="this system's agency id: the audience its presentations must name")
    parser.add_argument("--pki", help="directory holding agencies/<id>/signing.pem of the senders, to verify presentations")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0, help="answer each POST this late, as a slow system would")
    args = parser.parse_args()
    os.makedirs(args.inbox, exist_ok=True)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    context.load_verify_locations(args.client_ca)
    context.verify_mode = ssl.CERT_REQUIRED

    server = http.server.ThreadingHTTPServer((args.host, args.port), make_handler(args))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
