"""Stand-in for the city's grid management system (网格化管理 / 数字城管), DOMAIN.md §4.2.

Protocol contract (default port 4104), JSON over HTTP behind OAuth2 client credentials (RFC 6749 §4.4):

- ``POST /oauth/token`` (``application/x-www-form-urlencoded``; ``grant_type=client_credentials``; the client
  authenticates with HTTP Basic or ``client_id``/``client_secret`` in the form) →
  ``{"access_token", "token_type": "Bearer", "expires_in"}``. Tokens live 600 s unless configured otherwise.
  Errors follow RFC 6749 §5.2: ``400 {"error": "invalid_request" | "unsupported_grant_type"}``,
  ``401 {"error": "invalid_client"}``.
- Every ``/api/v1`` route needs ``Authorization: Bearer <token>``. No token → 401 with
  ``WWW-Authenticate: Bearer realm="grid"``; an expired or unknown token → 401 ``{"error": "invalid_token"}`` with
  ``WWW-Authenticate: Bearer realm="grid", error="invalid_token"`` (RFC 6750 §3).
- ``GET /api/v1/events?page=&size=&state=&gridCode=&phone=&keyword=`` → ``{"total", "page", "size", "items"}``;
  ``page`` counts from 1, ``size`` ≤ 100; ``gridCode`` matches a prefix of the 15-digit cell grid code.
- ``GET /api/v1/events/{taskNum}`` → one event (404 when unknown). There is no batch read.
- ``POST /api/v1/events`` (上报) → the new event, 201.
- ``POST /api/v1/events/{taskNum}/actions`` ``{"action": ...}`` moves the event along the loop
  上报 → (核实) → 立案 → 派遣 → 处置中 → 反馈 → 核查 → 结案 (or 作废); an illegal step is 409.
- ``POST /api/v1/events/{taskNum}/links`` ``{"system", "number", "kind"}`` links it to another system's record
  (a report may carry ``links`` too); ``POST /api/v1/events/{taskNum}/tier`` ``{"tier", "note"}`` moves it up
  网格直办 → 镇街主办 → 部门联办 (409 otherwise). Every event in an answer carries ``links``,
  ``routingTier`` and ``tierHistory``.
- Every write may carry ``X-Request-Id``: the same id again writes nothing and answers the event as it stands.
- Other client errors answer ``4xx {"error": <code>, "message": <Chinese text>}``.

Quirks kept from the real systems: field names in a camelCase/snake_case mix (``taskNum`` beside ``rec_id``,
``archive_time``); missing values as ``""`` rather than ``null``; coordinates as strings; ``discoverTime`` with a
``T`` but ``create_time`` with a space; time limits in working hours (工作时).

Admin routes for tests (the operator's console): ``POST /_admin/expire-tokens``; ``GET``/``POST /_admin/load``
(requests in flight, the most ever in flight, reads per task number, and a hold time that keeps each API request
in flight for a while).
"""
