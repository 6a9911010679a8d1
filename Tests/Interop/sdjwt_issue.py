"""Issue an SD-JWT with the reference implementation (PyPI sd-jwt), the way Accord does:
routing claims in clear, every other claim selectively disclosable, recursively.

Request: {"claims": {...}, "issuer_key_pem": "...", "alg": "ES256"|"EdDSA", "kid": "...",
          "holder_jwk": {...}, "typ": "accord+sd-jwt", "clear": ["iss", ...], "decoys": false,
          "clear_members": ["passport_number"], "header": {...}}
"clear_members" (optional) names object members left in clear wherever they are nested, as an
issuer that is not Accord's might; "header" (optional) adds protected-header parameters.
Answer:  {"sd_jwt": "<issuer-jwt>~<disclosure>~...~"}
"""
from sdjwt_common import jwk_from, read_request, write_answer

from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer


def conceal(value, clear_members=frozenset()):
    if isinstance(value, dict):
        return {(key if key in clear_members else SDObj(key)): conceal(member, clear_members)
                for key, member in value.items()}
    if isinstance(value, list):
        return [SDObj(conceal(element, clear_members)) for element in value]
    return value


def main():
    request = read_request()
    clear = set(request["clear"])
    clear_members = frozenset(request.get("clear_members", []))
    claims = {
        (key if key in clear else SDObj(key)): (value if key in clear else conceal(value, clear_members))
        for key, value in request["claims"].items()
    }
    header = {"typ": request["typ"], "kid": request["kid"]}
    header.update(request.get("header", {}))
    issuer = SDJWTIssuer(
        claims,
        jwk_from(request["issuer_key_pem"]),
        holder_key=jwk_from(request["holder_jwk"]),
        sign_alg=request["alg"],
        add_decoy_claims=bool(request.get("decoys", False)),
        extra_header_parameters=header,
    )
    write_answer({"sd_jwt": issuer.sd_jwt_issuance})


if __name__ == "__main__":
    main()
