"""JWS interoperability with an independent implementation (joserfc over pyca/cryptography).

  python3 jws_interop.py sign     -> prints JSON {"cases": [{"alg", "jwk", "token", "payload"}]}
  python3 jws_interop.py verify   <- reads that JSON on stdin, prints {"results": [true|false, ...]}

The Swift tests use `sign` to check that Accord verifies tokens made here, and `verify` to
check that tokens Accord made are accepted here and tampered ones refused.
"""
import json
import sys
import warnings

from joserfc import jws
from joserfc.jwk import ECKey, OKPKey

warnings.filterwarnings("ignore")
ALGORITHMS = ["ES256", "EdDSA"]


def import_key(jwk):
    return ECKey.import_key(jwk) if jwk["kty"] == "EC" else OKPKey.import_key(jwk)


def sign():
    cases = []
    for alg, key in (("ES256", ECKey.generate_key("P-256")), ("EdDSA", OKPKey.generate_key("Ed25519"))):
        for index in range(5):
            payload = json.dumps({"iss": "nz.police", "n": index, "text": "kia ora " * index})
            token = jws.serialize_compact({"alg": alg, "typ": "JWT"}, payload.encode(), key, algorithms=ALGORITHMS)
            cases.append({"alg": alg, "jwk": key.as_dict(private=False), "token": token, "payload": payload})
    json.dump({"cases": cases}, sys.stdout)


def verify():
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        try:
            obj = jws.deserialize_compact(case["token"], import_key(case["jwk"]), algorithms=ALGORITHMS)
            results.append(obj.payload.decode() == case["payload"])
        except Exception:
            results.append(False)
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    {"sign": sign, "verify": verify}[sys.argv[1]]()
