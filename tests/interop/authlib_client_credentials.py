"""Gets access tokens from a running Registrar with Authlib's OAuth 2.0 client, for
client_secret_basic and private_key_jwt: each client registers itself (RFC 7591), an
administrator grants it an API, and Authlib fetches a client_credentials token from the
token endpoint named in discovery.

Usage: python authlib_client_credentials.py http://127.0.0.1:PORT ADMIN_TOKEN
"""

import base64
import json
import sys
import urllib.request

from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey
from authlib.oauth2.rfc7523 import PrivateKeyJWT

ISSUER, ADMIN = sys.argv[1].rstrip("/"), sys.argv[2]
API = "https://authlib-api.example/"


def call(url, body, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 201, response.status
        return json.load(response)


def claims(jwt):
    header, payload = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in jwt.split(".")[:2])
    return header, payload


discovery = json.load(urllib.request.urlopen(f"{ISSUER}/.well-known/openid-configuration"))
token_endpoint = discovery["token_endpoint"]
call(f"{ISSUER}/api/v2/resource-servers", {"identifier": API, "scopes": [{"value": "read:things"}], "signing_alg": "EdDSA"}, ADMIN)

key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
public = key.as_dict(is_private=False)
public.update({"kid": "authlib-1", "use": "sig", "alg": "RS256"})

passed = 0
for method in ("client_secret_basic", "private_key_jwt"):
    metadata = {"grant_types": ["client_credentials"], "token_endpoint_auth_method": method}
    if method == "private_key_jwt":
        metadata["jwks"] = {"keys": [public]}
    registered = call(discovery["registration_endpoint"], metadata)
    client_id = registered["client_id"]
    call(f"{ISSUER}/api/v2/client-grants", {"client_id": client_id, "audience": API, "scope": ["read:things"]}, ADMIN)
    if method == "private_key_jwt":
        session = OAuth2Session(
            client_id,
            key.as_dict(is_private=True) | {"kid": "authlib-1"},
            token_endpoint_auth_method=PrivateKeyJWT(token_endpoint, alg="RS256"),
        )
    else:
        session = OAuth2Session(client_id, registered["client_secret"], token_endpoint_auth_method=method)
    token = session.fetch_token(token_endpoint, grant_type="client_credentials", audience=API)
    assert token["token_type"].lower() == "bearer", token
    header, payload = claims(token["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == "EdDSA", header
    assert payload["client_id"] == client_id and payload["aud"] == API, payload
    assert token["scope"] == "read:things", token
    passed += 1

print(f"Authlib client_credentials interop: {passed} passed, 0 failed")
