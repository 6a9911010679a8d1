"""An independent client of Accord's audit log over C2SP tlog-tiles, with the standard
library and `cryptography` only: fetch the checkpoint, check the gateway's signature and a
witness's tlog-cosignature/v1, fetch the level-0 hash tiles, recompute the root, build the
inclusion proof of one leaf from those hashes and verify it (RFC 9162 section 2.1.3.2)."""

import argparse
import base64
import hashlib
import struct
import sys
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(message):
    print(f"FAILED: {message}")
    sys.exit(1)


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def parse_key(text, key_type):
    name, key_id, encoded = text.split("+", 2)
    raw = base64.b64decode(encoded)
    if raw[0] != key_type or len(raw) != 33:
        fail(f"{name}: not a key of type {key_type}")
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if expected.hex() != key_id:
        fail(f"{name}: key ID does not match")
    return name, expected, Ed25519PublicKey.from_public_bytes(raw[1:])


def split_note(note):
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    lines = []
    for line in signatures.strip("\n").split("\n"):
        if not line.startswith("\u2014 "):
            fail("signature line without an em dash")
        name, signature = line[2:].split(" ")
        lines.append((name, base64.b64decode(signature)))
    return text, lines


def verify_note(text, lines, key):
    name, key_id, public = key
    for signer, signature in lines:
        if signer == name and signature[:4] == key_id:
            public.verify(signature[4:], text.encode())
            return
    fail(f"no signature by {name}")


def verify_cosignature(text, lines, key):
    name, key_id, public = key
    for signer, signature in lines:
        if signer == name and signature[:4] == key_id and len(signature) == 76:
            (timestamp,) = struct.unpack(">Q", signature[4:12])
            public.verify(signature[12:], f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode())
            return timestamp
    fail(f"no cosignature by {name}")


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(hashes):
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node(root(hashes[:k]), root(hashes[k:]))


def inclusion_path(index, hashes):
    """RFC 6962 section 2.1.1, from the leaf upwards."""
    if len(hashes) == 1:
        return []
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    if index < k:
        return inclusion_path(index, hashes[:k]) + [root(hashes[k:])]
    return inclusion_path(index - k, hashes[k:]) + [root(hashes[:k])]


def verify_inclusion(leaf_hash, index, size, proof, expected_root):
    """RFC 9162 section 2.1.3.2."""
    fn, sn, result = index, size - 1, leaf_hash
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == expected_root


def tile_path(index, width):
    groups = []
    while True:
        groups.insert(0, f"{index % 1000:03d}")
        index //= 1000
        if index == 0:
            break
    path = "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])
    return f"tile/0/{path}" + ("" if width == 256 else f".p/{width}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the log's base URL, ending in /v1/log")
    parser.add_argument("--verifier-key", required=True)
    parser.add_argument("--witness-key", required=True)
    parser.add_argument("--leaf", type=int, required=True)
    args = parser.parse_args()

    note = get(args.url + "/checkpoint").decode()
    text, lines = split_note(note)
    verify_note(text, lines, parse_key(args.verifier_key, 0x01))
    verify_cosignature(text, lines, parse_key(args.witness_key, 0x04))
    origin, size, root_b64 = text.split("\n")[:3]
    size, signed_root = int(size), base64.b64decode(root_b64)
    if not 0 <= args.leaf < size:
        fail(f"leaf {args.leaf} is not in the checkpoint of size {size}")

    hashes = []
    for tile in range((size + 255) // 256):
        width = min(256, size - tile * 256)
        body = get(f"{args.url}/{tile_path(tile, width)}")
        if len(body) != width * 32:
            fail(f"tile {tile} holds {len(body)} bytes, not {width * 32}")
        hashes += [body[i:i + 32] for i in range(0, len(body), 32)]
    if root(hashes) != signed_root:
        fail("the tiles do not lead to the cosigned root")
    proof = inclusion_path(args.leaf, hashes)
    if not verify_inclusion(hashes[args.leaf], args.leaf, size, proof, signed_root):
        fail(f"the inclusion proof of leaf {args.leaf} does not verify")
    print(f"verified: leaf {args.leaf} in {origin} at size {size}, cosigned, proof of {len(proof)} hashes")


if __name__ == "__main__":
    main()
