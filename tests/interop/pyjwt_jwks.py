"""Interop: Debian's PyJWT (python3-jwt) verifies dccd's tokens against dccd's JWKS.

usage: pyjwt_jwks.py URL CREDENTIALS_JSON ACCESS_TOKEN
Checks what a Gen3 client relies on: the RS256 signature by the key named in the header's
kid, aud "gen3", iss = URL + "/user" (the SDK derives the commons URL from it), pur, and
that a tampered token or one checked against the wrong issuer is refused.
"""
import json
import sys
from urllib.parse import urlparse

import jwt

url, creds_path, access_token = sys.argv[1], sys.argv[2], sys.argv[3]
with open(creds_path) as f:
    creds = json.load(f)

jwks = jwt.PyJWKClient(url + "/user/.well-known/jwks")
failures = 0


def check(name, ok):
    global failures
    print(("ok   " if ok else "FAIL ") + name)
    failures += 0 if ok else 1


for label, token, purpose in (("api key", creds["api_key"], "api_key"), ("access token", access_token, "access")):
    key = jwks.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="gen3", issuer=url + "/user")
    check(label + ": signature, aud, iss and exp verify", True)
    check(label + ": pur is " + purpose, claims["pur"] == purpose)
    check(label + ": kid in header matches JWKS", jwt.get_unverified_header(token)["kid"] == key.key_id)

claims = jwt.decode(creds["api_key"], options={"verify_signature": False})
check("api key: jti is the key_id", claims["jti"] == creds["key_id"])
# gen3.md §1.3: the SDK's endpoint_from_token
parsed = urlparse(claims["iss"])
check("commons URL derived from iss", f"{parsed.scheme}://{parsed.netloc}" == url)
access = jwt.decode(access_token, options={"verify_signature": False})
check("access token: lifetime at most 3600 s", 0 < access["exp"] - access["iat"] <= 3600)
check("access token: context.user.name", access["context"]["user"]["name"] == "alice@lab-a.test")

key = jwks.get_signing_key_from_jwt(access_token)
head, payload, sig = access_token.split(".")
forged_payload = jwt.utils.base64url_encode(
    json.dumps(dict(access, context={"user": {"name": "admin@dcc.test", "is_admin": True}})).encode()).decode()
for name, token, kwargs in (
        ("tampered claims are refused", f"{head}.{forged_payload}.{sig}", {"issuer": url + "/user"}),
        ("a wrong issuer is refused", access_token, {"issuer": "https://elsewhere.example/user"})):
    try:
        jwt.decode(token, key.key, algorithms=["RS256"], audience="gen3", **kwargs)
        check(name, False)
    except jwt.InvalidTokenError:
        check(name, True)

print(f"{10 - failures if failures <= 10 else 0} passed, {failures} failed")
sys.exit(1 if failures else 0)
