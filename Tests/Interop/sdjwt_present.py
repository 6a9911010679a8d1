"""Make a presentation with the reference implementation's holder (PyPI sd-jwt): select
disclosures and append a key-binding JWT signed with the holder key.

Request: {"sd_jwt": "...", "disclose": {...claims_to_disclose...}, "holder_key_pem": "...",
          "alg": "ES256", "aud": "...", "nonce": "..."}
Answer:  {"presentation": "<issuer-jwt>~<disclosure>~...~<kb-jwt>"}
"""
from sdjwt_common import jwk_from, read_request, write_answer

from sd_jwt.holder import SDJWTHolder


def main():
    request = read_request()
    holder = SDJWTHolder(request["sd_jwt"])
    holder.create_presentation(
        request["disclose"],
        nonce=request["nonce"],
        aud=request["aud"],
        holder_key=jwk_from(request["holder_key_pem"]),
        sign_alg=request["alg"],
    )
    write_answer({"presentation": holder.sd_jwt_presentation})


if __name__ == "__main__":
    main()
