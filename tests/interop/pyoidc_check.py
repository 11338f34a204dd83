"""Registers against a running Registrar with pyoidc (`oic` on PyPI), the long-standing
Python OpenID Connect library, the way its own RP code does: discovery, then
`Client.register()` for a web and a native client, then an RFC 7592 read of one of them.

pyoidc reads discovery literally: when `require_request_uri_registration` is true it
invents `request_uris` for every registration, so this also checks that discovery
advertises only what the server does.

Usage: python pyoidc_check.py http://127.0.0.1:PORT
"""

import sys

from oic.oic import Client
from oic.oic.message import RegistrationResponse
from oic.utils.authn.client import CLIENT_AUTHN_METHOD


def check(condition, what):
    if not condition:
        raise SystemExit(f"pyoidc interop: FAILED: {what}")


def new_client():
    return Client(client_authn_method=CLIENT_AUTHN_METHOD)


def main(issuer):
    passed = 0

    # 1. Discovery, then a confidential web client with pyoidc's own defaults.
    web = new_client()
    provider = web.provider_config(issuer)
    check(provider["issuer"] == issuer, "issuer round-trips")
    check(provider.get("require_request_uri_registration") is not True,
          "no request_uri registration is demanded")
    reply = web.register(
        provider["registration_endpoint"],
        redirect_uris=["https://rp.example/cb"],
        client_name="pyoidc interop",
        response_types=["code"],
    )
    check(isinstance(reply, RegistrationResponse), f"web registration: {reply}")
    check(web.client_id and web.client_secret, "client_id and client_secret issued")
    check("request_uris" not in reply, "no request_uris were sent or stored")
    check(reply["redirect_uris"] == ["https://rp.example/cb"], "redirect_uris echoed")
    passed += 1

    # 2. A public native client with a loopback redirect.
    native = new_client()
    native.provider_config(issuer)
    reply = native.register(
        provider["registration_endpoint"],
        redirect_uris=["http://127.0.0.1:7777/cb"],
        application_type="native",
        token_endpoint_auth_method="none",
        response_types=["code"],
    )
    check(isinstance(reply, RegistrationResponse), f"native registration: {reply}")
    check(reply["application_type"] == "native", "application_type native")
    check("client_secret" not in reply, "no secret for a public client")
    passed += 1

    # 3. RFC 7592 read with the registration access token the web client received.
    resp = web.http_request(
        web.registration_response["registration_client_uri"],
        "GET",
        headers={"Authorization": "Bearer " + web.registration_access_token},
    )
    check(resp.status_code == 200, f"read back: HTTP {resp.status_code}")
    read = RegistrationResponse().from_json(resp.text)
    check(read["client_id"] == web.client_id, "read back the same client")
    check(read["client_name"] == "pyoidc interop", "read back its name")
    passed += 1

    print(f"pyoidc interop: {passed} passed, 0 failed")


if __name__ == "__main__":
    main(sys.argv[1])
