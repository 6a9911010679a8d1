#!/usr/bin/env python3
"""Verify an Accord audit export (accord audit export --format jsonl) without Accord.

Checks, using only `cryptography` and `rfc8785`:
  * the verifier key's key ID (C2SP signed-note, Ed25519),
  * every checkpoint's signature and its tlog-checkpoint body, by the audit key in force at its
    size: the export carries each `audit.key_rotated` leaf (old and new verifier key); the first
    checkpoint after a rotation must be signed by both keys, later ones by the new, and the
    pinned key may be any key of that chain,
  * that every leaf is RFC 8785 canonical JSON, records its own index, and hashes
    (RFC 6962: SHA-256(0x00 || leaf)) to the exported leaf hash,
  * every inclusion proof against the latest checkpoint's root,
  * every consistency proof the export carries (accord-audit-export-v2: from each checkpoint
    that bridges a key rotation to the latest; v1: between successive checkpoints),
  * that a v2 export ends with its line counting the leaves, so one cut short is refused,
  * and, when the export holds every leaf, the root recomputed from all of them.

The export is read line by line, twice, so memory stays small whatever its size.

Usage: audit_verify.py EXPORT.jsonl [--verifier-key KEY]
Pass --verifier-key with the key obtained from the agency out of band; without it the key
inside the export is used, which proves integrity but not who signed.
Exit status 0 when everything verifies, 1 with the first failure otherwise.
"""
import base64
import hashlib
import json
import sys

try:
    import rfc8785
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError as missing:
    sys.exit(f"missing Python module ({missing.name}): pip install -r Tests/Interop/requirements.txt")

EM_DASH = "\u2014 "


class Failure(Exception):
    pass


def b64(text):
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode() != text:
        raise Failure(f"non-canonical base64: {text}")
    return raw


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        raise Failure(f"leaf {index} outside tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise Failure(f"inclusion proof of leaf {index} too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        raise Failure(f"inclusion proof of leaf {index} does not lead to the checkpoint root")


def verify_consistency(size1, size2, proof, root1, root2):
    """RFC 9162 section 2.1.4.2, for 0 < size1 < size2."""
    if not 0 < size1 < size2 or not proof:
        raise Failure(f"bad consistency proof {size1} -> {size2}")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Failure("consistency proof too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != root1 or sr != root2:
        raise Failure(f"checkpoints {size1} and {size2} are not consistent")


def parse_verifier_key(text):
    name, key_id, key = text.split("+", 2)
    raw = b64(key)
    if len(raw) != 33 or raw[0] != 1:
        raise Failure("verifier key is not Ed25519")
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if expected.hex() != key_id:
        raise Failure("verifier key ID does not match its name and key")
    return name, expected, Ed25519PublicKey.from_public_bytes(raw[1:])


def open_checkpoint(note, verifier):
    name, key_id, public_key = verifier
    if not note.endswith("\n") or "\n\n" not in note:
        raise Failure("malformed signed note")
    split = note.rindex("\n\n")
    text, signatures = note[: split + 1], note[split + 2 :].splitlines()
    verified = False
    for line in signatures:
        if not line.startswith(EM_DASH):
            raise Failure("malformed signature line")
        signer, blob = line[len(EM_DASH) :].split(" ")
        raw = b64(blob)
        if signer == name and raw[:4] == key_id:
            try:
                public_key.verify(raw[4:], text.encode())
            except InvalidSignature:
                raise Failure(f"checkpoint signature does not verify:\n{text}")
            verified = True
    if not verified:
        raise Failure("checkpoint carries no signature by the verifier key")
    lines = text[:-1].split("\n")
    origin, size, root = lines[0], lines[1], b64(lines[2])
    if str(int(size)) != size or len(root) != 32:
        raise Failure("malformed checkpoint body")
    return origin, int(size), root


def records(path):
    """The export's lines, read one at a time: an export of years of log is never held whole."""
    with open(path, encoding="utf-8") as export:
        for line in export:
            if line.strip():
                yield json.loads(line)


class RootBuilder:
    """The RFC 6962 root of the leaves appended so far, keeping one hash per level."""

    def __init__(self):
        self.stack = []  # (height, hash), heights strictly decreasing

    def append(self, digest):
        height = 0
        while self.stack and self.stack[-1][0] == height:
            digest = node_hash(self.stack.pop()[1], digest)
            height += 1
        self.stack.append((height, digest))

    def root(self):
        if not self.stack:
            return hashlib.sha256(b"").digest()
        result = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            result = node_hash(left, result)
        return result


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    pinned = argv[argv.index("--verifier-key") + 1] if "--verifier-key" in argv else None
    if pinned:
        args.remove(pinned)
    if len(args) != 1:
        sys.exit(__doc__)
    path = args[0]
    header = next(records(path), {})
    version = header.get("format")
    if header.get("type") != "log" or version not in ("accord-audit-export-v1", "accord-audit-export-v2"):
        raise Failure("not an Accord audit export")

    # First pass: the checkpoints, consistency proofs and key rotations (few lines).
    rotations, checkpoints, consistency, end = [], [], [], None
    for item in records(path):
        if item["type"] == "checkpoint":
            checkpoints.append(item)
        elif item["type"] == "consistency":
            consistency.append(item)
        elif item["type"] == "end":
            end = item
        elif item["type"] == "leaf" and "audit.key_rotated" in item["leaf"]:
            leaf = json.loads(item["leaf"])
            if leaf.get("event") == "audit.key_rotated":
                rotations.append((item["index"], leaf))
    rotations.sort(key=lambda pair: pair[0])
    trusted = pinned or header["verifier_key"]
    chain = [trusted] if not rotations else [rotations[0][1]["details"]["old_key"]]
    for index, leaf in rotations:
        if leaf["details"]["old_key"] != chain[-1]:
            raise Failure(f"the audit key rotation at leaf {index} replaces a key that was not in force")
        chain.append(leaf["details"]["new_key"])
    if trusted not in chain:
        raise Failure("the pinned verifier key is none of the keys the log's rotations name")
    sizes = [item["size"] for item in checkpoints]

    def keys_for(size):
        """The key in force at `size`, and the previous one for the first checkpoint after a rotation."""
        epoch = sum(1 for index, _ in rotations if index < size)
        if epoch == 0:
            return [chain[0]]
        first_after = min(s for s in sizes if s > rotations[epoch - 1][0])
        return chain[epoch - 1 : epoch + 1] if size == first_after else [chain[epoch]]

    roots = {}
    for item in checkpoints:
        for key in keys_for(item["size"]):
            origin, size, root = open_checkpoint(item["note"], parse_verifier_key(key))
        if size != item["size"]:
            raise Failure(f"checkpoint listed as size {item['size']} signs size {size}")
        if origin != header["origin"]:
            raise Failure(f"checkpoint for another log: {origin}")
        if roots.get(size, root) != root:
            raise Failure(f"two checkpoints of size {size} disagree")
        roots[size] = root
    if not roots:
        raise Failure("the export holds no checkpoint")
    latest = max(roots)
    if version == "accord-audit-export-v2" and header.get("tree_size") != latest:
        raise Failure(f"the export says it is proved against size {header.get('tree_size')}, its latest checkpoint is {latest}")
    for item in consistency:
        verify_consistency(item["size1"], item["size2"], [b64(p) for p in item["proof"]],
                           roots[item["size1"]], roots[item["size2"]])

    # Second pass: every leaf, one at a time; the roots recomputed while the leaves run from 0.
    count, builder, complete = 0, RootBuilder(), True
    for item in records(path):
        if item["type"] != "leaf":
            continue
        index, text = item["index"], item["leaf"]
        data = text.encode()
        if rfc8785.dumps(json.loads(text)) != data:
            raise Failure(f"leaf {index} is not RFC 8785 canonical JSON")
        if json.loads(text).get("index") != index:
            raise Failure(f"leaf {index} records another index: it was moved")
        digest = leaf_hash(data)
        if digest != b64(item["leaf_hash"]):
            raise Failure(f"leaf {index}: exported leaf hash differs from SHA-256(0x00 || leaf)")
        if item["tree_size"] != latest:
            raise Failure(f"leaf {index} is proved against size {item['tree_size']}, not the latest checkpoint {latest}")
        verify_inclusion(index, latest, digest, [b64(p) for p in item["proof"]], roots[latest])
        if complete and index == count:
            builder.append(digest)
            if index + 1 in roots and builder.root() != roots[index + 1]:
                raise Failure(f"recomputed root of the first {index + 1} leaves differs from its checkpoint")
        else:
            complete = False
        count += 1
    if version == "accord-audit-export-v2" and (end is None or end.get("entries") != count):
        raise Failure(f"the export was cut short: {count} leaves, and no last line saying so")
    print(f"verified: {count} leaves against checkpoint of size {latest}, {len(roots)} checkpoint(s)")


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (Failure, ValueError, KeyError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
