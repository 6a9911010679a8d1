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
--refuse CODE answers every POST with 422 and a problem document of that code, as a partner
gateway refusing a forward under its own agreements would (docs/federation.md).
--receipt-key PEM answers each accepted POST with a partner gateway's receipt signed with that
private key (a JWS of type accord-receipt+jwt naming the delivery id, a leaf and a checkpoint
holding it), as the sending gateway expects of a partner; this stand-in keeps no log, so the
leaf counts the POSTs and the root hash is a digest of the body.
"""
import base64
import hashlib
import argparse
import http.server
import json
import os
import ssl
import threading
import time

lock = threading.Lock()


def signed_receipt(args, delivery_id, leaf, body):
    """The 201 body a partner gateway answers an accepted forward with, signed with --receipt-key."""
    from joserfc import jws
    from joserfc.jwk import ECKey

    with open(args.receipt_key, "rb") as f:
        key = ECKey.import_key(f.read())
    fields = {"delivery_id": delivery_id, "received_as": "d-" + hashlib.sha256(body).hexdigest()[:32],
              "audit_leaf": leaf, "checkpoint_size": leaf + 1,
              "checkpoint_root": base64.b64encode(hashlib.sha256(body).digest()).decode()}
    token = jws.serialize_compact({"alg": "ES256", "typ": "accord-receipt+jwt"},
                                  json.dumps(fields, sort_keys=True).encode(), key)
    return json.dumps(dict(fields, receipt=token)).encode()
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
                leaf = state["posts"]
            time.sleep(args.delay_ms / 1000)
            status = 503 if failing else (422 if args.refuse else 200)
            consistent = False
            verified = None
            if status == 200:
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
            if status == 422:
                payload = json.dumps({"type": "about:blank", "status": 422, "code": args.refuse,
                                      "title": "Refused by the partner's agreements"}).encode()
            else:
                payload = b"{}" if status == 200 else b'{"error": "try later"}'
                if status == 200 and args.receipt_key:
                    payload = signed_receipt(args, delivery_id, leaf, body)
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
    parser.add_argument("--refuse", help="answer every POST with 422 and a problem document of this code")
    parser.add_argument("--receipt-key", help="answer accepted POSTs with a partner gateway's receipt signed with this key (PEM)")
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
