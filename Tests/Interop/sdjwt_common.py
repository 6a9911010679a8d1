"""Shared helpers for the SD-JWT interoperability scripts that the Swift tests drive.

Each script reads one JSON request from the file named by its first argument (or stdin)
and writes one JSON answer to stdout. Exit status 3 means a Python module is missing.
"""
import json
import sys

try:
    from jwcrypto.jwk import JWK  # noqa: F401  (imported here to fail early and clearly)
    import sd_jwt  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised only on a misconfigured machine
    sys.stderr.write(
        f"missing Python module ({error.name}): run `pip install -r Tests/Interop/requirements.txt`\n"
    )
    sys.exit(3)


def read_request():
    if len(sys.argv) > 1:
        with open(sys.argv[1], "r", encoding="utf-8") as handle:
            return json.load(handle)
    return json.load(sys.stdin)


def write_answer(answer):
    sys.stdout.write(json.dumps(answer))
    sys.stdout.write("\n")


def jwk_from(value):
    """A jwcrypto JWK from a JWK dict or a PEM string (private or public)."""
    if isinstance(value, dict):
        return JWK(**value)
    return JWK.from_pem(value.encode("ascii"))
