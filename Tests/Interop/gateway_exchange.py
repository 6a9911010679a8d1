"""An agency system and its partner, written with Python's `requests` and the `sd-jwt`
reference library, exchanging one message through a running Accord gateway.

Request: {"base": "https://localhost:PORT", "pki": "<dir of accord pki init>",
          "sender": "nz.immigration", "recipient": "nz.police",
          (or "recipients": ["nz.police", ...] for one message to several agencies),
          "routing": {"type": ..., "purpose": ..., "classification": ...},
          "content": {...}, "shallow": false, "clear_content": {...}}
Answer:  {"submit_status": 202, "receipt": {...}, "problem_type": "...",
          "inbox_status": 200, "verified": [{"recipient": ..., "delivery_id": ..., "payload": {...}}],
          "ack_statuses": [200], "bodies": ["<every response body, for leak checks>"],
          "exchanges": [{"method", "path", "status", "content_type", "body"}]}
"""
import hashlib
import json
import os
import sys
import time
import uuid

from sdjwt_common import jwk_from, read_request, write_answer

import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier


def conceal(value):
    if isinstance(value, dict):
        return {SDObj(key): conceal(member) for key, member in value.items()}
    if isinstance(value, list):
        return [SDObj(conceal(element)) for element in value]
    return value


def agency_files(pki, agency):
    base = os.path.join(pki, "agencies", agency)
    return {
        "cert": (os.path.join(base, "tls.pem"), os.path.join(base, "tls-key.pem")),
        "signing_key": open(os.path.join(base, "signing-key.pem")).read(),
        "signing_cert": open(os.path.join(base, "signing.pem"), "rb").read(),
    }


def main():
    request = read_request()
    base, pki = request["base"], request["pki"]
    ca = os.path.join(pki, "ca.pem")
    sender = agency_files(pki, request["sender"])
    recipients = request.get("recipients") or [request["recipient"]]
    bodies, exchanges = [], []

    def record(method, path, response):
        bodies.append(response.text)
        exchanges.append({"method": method, "path": path, "status": response.status_code,
                          "content_type": response.headers.get("Content-Type", ""), "body": response.text})

    keys = requests.get(f"{base}/v1/keys", cert=sender["cert"], verify=ca, timeout=30)
    record("GET", "/v1/keys", keys)
    binding = keys.json()["binding"]

    certificate = x509.load_pem_x509_certificate(sender["signing_cert"])
    # kid: the SHA-256 fingerprint of the signing certificate, one of the two forms Accord accepts.
    kid = hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()
    now = int(time.time())
    claims = {
        "iss": request["sender"], "jti": str(uuid.uuid4()), "iat": now, "exp": now + 600,
        "accord": dict(request["routing"], to=recipients),
    }
    # "shallow": only top-level claims selectively disclosable, as the library does by default
    # for plain SDObj keys; "clear_content": claims sent in clear.
    shallow = request.get("shallow", False)
    claims.update({SDObj(key): (value if shallow else conceal(value)) for key, value in request["content"].items()})
    claims.update(request.get("clear_content", {}))
    issuer = SDJWTIssuer(claims, jwk_from(sender["signing_key"]), holder_key=jwk_from(binding), sign_alg="ES256",
                         extra_header_parameters={"typ": "accord+sd-jwt", "kid": kid})
    submitted = requests.post(f"{base}/v1/messages", data=issuer.sd_jwt_issuance.encode("ascii"),
                              headers={"Content-Type": "application/sd-jwt"}, cert=sender["cert"], verify=ca, timeout=30)
    record("POST", "/v1/messages", submitted)
    answer = {"submit_status": submitted.status_code, "content_type": submitted.headers.get("Content-Type"),
              "receipt": submitted.json() if submitted.headers.get("Content-Type", "").endswith("json") else None}

    issuer_key = jwk_from(sender["signing_key"])
    issuer_public = jwk_from(json.loads(issuer_key.export_public()))
    verified, acks = [], []
    for name in recipients:
        recipient = agency_files(pki, name)
        inbox = requests.get(f"{base}/v1/inbox", cert=recipient["cert"], verify=ca, timeout=30)
        record("GET", "/v1/inbox", inbox)
        answer["inbox_status"] = inbox.status_code
        for item in inbox.json().get("items", []):
            # Each recipient verifies its own presentation: bound to it as audience.
            verifier = SDJWTVerifier(item["presentation"], lambda iss, header: issuer_public,
                                     expected_aud=name, expected_nonce=item["delivery_id"])
            verified.append({"recipient": name, "delivery_id": item["delivery_id"], "payload": verifier.get_verified_payload(),
                             "withheld": item["withheld"]})
            ack = requests.post(f"{base}/v1/inbox/{item['delivery_id']}/ack", cert=recipient["cert"], verify=ca, timeout=30)
            record("POST", f"/v1/inbox/{item['delivery_id']}/ack", ack)
            acks.append(ack.status_code)
    if answer["receipt"] and "message_id" in answer["receipt"]:
        status = requests.get(f"{base}/v1/messages/{answer['receipt']['message_id']}", cert=sender["cert"], verify=ca, timeout=30)
        record("GET", f"/v1/messages/{answer['receipt']['message_id']}", status)
    answer.update({"verified": verified, "ack_statuses": acks, "bodies": bodies, "exchanges": exchanges})
    write_answer(answer)


if __name__ == "__main__":
    sys.exit(main())
