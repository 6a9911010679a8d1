"""An agency holding evidence of its exchanges, with the standard library and `cryptography`
only: for each audit leaf a receipt or an inbox page names, wait for the first checkpoint that
covers it, fetch that checkpoint and the leaf's inclusion proof over the agency's mutual TLS,
check the gateway's signature (and a witness's cosignature), the proof, and that the checkpoint
named by `checkpoint_size` (fetched by size, signed by the gateway, cosigned only if a witness
was sent it) is a prefix of it (RFC 9162 consistency proof)."""

import argparse
import base64
import hashlib
import json
import ssl
import sys
import time
import urllib.error
import urllib.request

from tile_inclusion import (fail, node, parse_key, split_note, verify_cosignature, verify_inclusion,
                            verify_note)


def verify_consistency(first, second, proof, first_root, second_root):
    """RFC 9162 section 2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0 or first > second or not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


class Agency:
    def __init__(self, args):
        self.base = args.gateway.rstrip("/")
        self.context = ssl.create_default_context(cafile=args.ca)
        self.context.load_cert_chain(args.cert, args.key)
        self.log_key = parse_key(args.verifier_key, 0x01)
        self.witness_key = parse_key(args.witness_key, 0x04) if args.witness_key else None

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=10, context=self.context) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def checkpoint(self, note, witnessed):
        """The signed checkpoint's size and root, and whether the witness cosigned it. A witness's
        line that is there must verify; `witnessed` says the checkpoint must carry one."""
        text, lines = split_note(note)
        verify_note(text, lines, self.log_key)
        cosigned = False
        if self.witness_key and (witnessed or any(signer == self.witness_key[0] for signer, _ in lines)):
            verify_cosignature(text, lines, self.witness_key)
            cosigned = True
        _, size, root = text.split("\n")[:3]
        return int(size), base64.b64decode(root), cosigned

    def first_covering(self, leaf, deadline):
        """GET /v1/proofs/inclusion?leaf=N until a checkpoint covers the leaf."""
        while True:
            status, body, headers = self.get(f"/v1/proofs/inclusion?leaf={leaf}")
            if status == 200:
                return json.loads(body)
            problem = json.loads(body) if body else {}
            if status != 404 or problem.get("code") != "not-yet-covered":
                fail(f"leaf {leaf}: the inclusion proof answered {status} {body[:200]!r}")
            if time.monotonic() > deadline:
                fail(f"leaf {leaf}: still not covered by a signed checkpoint")
            time.sleep(min(float(headers.get("Retry-After", "1")), 0.5))

    def prove(self, leaf, announced, deadline):
        answer = self.first_covering(leaf, deadline)
        # The first covering checkpoint with the cosignatures the gateway's policy requires.
        size, root, _ = self.checkpoint(answer["checkpoint"], witnessed=True)
        if answer["tree_size"] != size or answer["leaf_index"] != leaf or not leaf < size:
            fail(f"leaf {leaf}: the proof names size {answer['tree_size']}, the checkpoint {size}")
        leaf_hash = base64.b64decode(answer["leaf_hash"])
        if "leaf" in answer and hashlib.sha256(b"\x00" + answer["leaf"].encode()).digest() != leaf_hash:
            fail(f"leaf {leaf}: its text does not hash to the proved leaf hash")
        proof = [base64.b64decode(h) for h in answer["proof"]]
        if not verify_inclusion(leaf_hash, leaf, size, proof, root):
            fail(f"leaf {leaf}: the inclusion proof does not verify against the checkpoint of size {size}")
        said = f"leaf {leaf} in the checkpoint of size {size}"
        if announced is None:
            return said
        status, body, _ = self.get(f"/v1/log/checkpoint?size={announced}")
        if status != 200:
            fail(f"the checkpoint of size {announced} the answer named answered {status} {body[:200]!r}")
        # The latest checkpoint signed when the gateway answered: signed by the log, and cosigned
        # only if a witness was sent it (each round sends the latest; one signed between two is not).
        held, held_root, held_cosigned = self.checkpoint(body.decode(), witnessed=False)
        if held != announced:
            fail(f"asked for the checkpoint of size {announced}, got {held}")
        if announced > leaf and announced < size and (held_cosigned or not self.witness_key):
            fail(f"leaf {leaf}: the checkpoint of size {announced} covers it, yet {size} was given as the first to")
        (small, small_root), (large, large_root) = sorted([(announced, held_root), (size, root)])
        if small < large:
            status, body, _ = self.get(f"/v1/proofs/consistency?from={small}&to={large}")
            if status != 200:
                fail(f"consistency {small}->{large} answered {status}")
            hashes = [base64.b64decode(h) for h in json.loads(body)["proof"]]
            if not verify_consistency(small, large, hashes, small_root, large_root):
                fail(f"the checkpoint of size {small} is not a prefix of the one of size {large}")
        elif held_root != root:
            fail(f"two checkpoints of size {size} with different roots")
        return said + f", consistent with the checkpoint of size {announced} the answer named"


def kb_jwt_accord(presentation):
    payload = presentation.rsplit("~", 1)[1].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["accord"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True, help="the agency API, e.g. https://localhost:8443")
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--verifier-key", required=True)
    parser.add_argument("--witness-key")
    parser.add_argument("--receipt", help="a receipt (POST /v1/messages answer) as JSON")
    parser.add_argument("--inbox", help="an inbox page (GET /v1/inbox answer) as JSON")
    parser.add_argument("--wait", type=float, default=30, help="seconds to wait for covering checkpoints")
    args = parser.parse_args()
    agency = Agency(args)
    deadline = time.monotonic() + args.wait

    evidence = []
    if args.receipt:
        receipt = json.load(open(args.receipt))
        for recipient in receipt["recipients"]:
            evidence.append((recipient["audit_leaf"], receipt.get("checkpoint_size")))
    if args.inbox:
        for item in json.load(open(args.inbox))["items"]:
            claim = kb_jwt_accord(item["presentation"])
            if claim["audit_leaf"] != item["audit_leaf"] or claim.get("checkpoint_size") != item.get("checkpoint_size"):
                fail(f"delivery {item['delivery_id']}: the KB-JWT's accord claim {claim} differs from the item")
            evidence.append((item["audit_leaf"], item.get("checkpoint_size")))
    if not evidence:
        fail("no audit leaf to prove: give --receipt or --inbox")
    for leaf, announced in evidence:
        print("verified: " + agency.prove(leaf, announced, deadline))


if __name__ == "__main__":
    main()
