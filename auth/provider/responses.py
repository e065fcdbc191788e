"""RFC 6749 §5.2 error bodies and the no-store headers token responses carry."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from auth.errors import OAuthError

__all__ = ["NO_STORE", "oauth_error", "token_json"]

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(error: OAuthError) -> JSONResponse:
    body = {"error": error.error}
    if error.description:
        body["error_description"] = error.description
    headers = dict(NO_STORE)
    if error.error == "invalid_client":
        headers["WWW-Authenticate"] = 'Basic realm="minyi"'
    return JSONResponse(body, status_code=error.status, headers=headers)


def token_json(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers=NO_STORE)
