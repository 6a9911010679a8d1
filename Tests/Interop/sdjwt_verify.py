"""Verify SD-JWTs with the reference implementation's verifier (PyPI sd-jwt).

Request: {"issuer_jwk": {...}, "cases": [{"sd_jwt": "...", "aud": "...", "nonce": "..."}]}
         (aud and nonce only when a key-binding JWT is to be checked)
Answer:  {"results": [{"ok": true, "payload": {...}} | {"ok": false, "error": "..."}]}
"""
from sdjwt_common import jwk_from, read_request, write_answer

from sd_jwt.verifier import SDJWTVerifier


def verify(case, issuer_key):
    try:
        verifier = SDJWTVerifier(
            case["sd_jwt"],
            lambda issuer, header: issuer_key,
            expected_aud=case.get("aud"),
            expected_nonce=case.get("nonce"),
        )
        return {"ok": True, "payload": verifier.get_verified_payload()}
    except Exception as error:  # any refusal by the reference verifier counts as caught
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def main():
    request = read_request()
    issuer_key = jwk_from(request["issuer_jwk"])
    write_answer({"results": [verify(case, issuer_key) for case in request["cases"]]})


if __name__ == "__main__":
    main()
