"""A small OpenID Connect provider for the tests, shaped like ProConnect, over real HTTP.

Authorization code flow: /authorize answers at once with a code for the agent the test chose,
/token trades it for an RS256-signed ID token, /userinfo answers with a signed JWT (as
ProConnect does), /jwks publishes the public key. Nothing is mocked on the app's side: it
talks to this server with requests, as it would to ProConnect."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "observatoire-test"
CLIENT_SECRET = "observatoire-test-secret-0123456789"
KID = "test-key-1"


class Provider:
    def __init__(self, port: int) -> None:
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.agent: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                provider.requests.append(url.path)
                if url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID:
                        return self._send(400, b"unknown client", "text/plain")
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": query.get("nonce"), **provider.agent}
                    location = (
                        query["redirect_uri"]
                        + "?"
                        + urlencode({"code": code, "state": query.get("state", "")})
                    )
                    return self._send(302, b"", "text/plain", Location=location)
                if url.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    jwk.update(kid=KID, alg="RS256", use="sig")
                    return self._send(200, json.dumps({"keys": [jwk]}).encode(), "application/json")
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    agent = provider.tokens.get(token)
                    if agent is None:
                        return self._send(401, b"", "text/plain")
                    claims = {"iss": provider.issuer, "aud": CLIENT_ID, **agent}
                    claims.pop("nonce", None)
                    return self._send(200, provider.sign(claims).encode(), "application/jwt")
                self._send(404, b"", "text/plain")

            def do_POST(self) -> None:
                provider.requests.append(self.path)
                if self.path != "/token":
                    return self._send(404, b"", "text/plain")
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                    return self._send(401, b'{"error": "invalid_client"}', "application/json")
                agent = provider.codes.pop(form.get("code", ""), None)
                if agent is None:
                    return self._send(400, b'{"error": "invalid_grant"}', "application/json")
                access_token = secrets.token_urlsafe(16)
                provider.tokens[access_token] = agent
                now = int(time.time())
                id_token = provider.sign(
                    {
                        "iss": provider.issuer,
                        "aud": CLIENT_ID,
                        "sub": agent["sub"],
                        "iat": now,
                        "exp": now + 60,
                        "nonce": agent["nonce"],
                    }
                )
                body = {"access_token": access_token, "token_type": "Bearer", "id_token": id_token}
                self._send(200, json.dumps(body).encode(), "application/json")

        return Handler


def environment(port: int) -> dict[str, str]:
    """The OIDC_* settings that point the app at a provider on this port."""
    base = f"http://127.0.0.1:{port}"
    return {
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": f"{base}/token",
        "OIDC_OP_USER_ENDPOINT": f"{base}/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": f"{base}/jwks",
    }
