"""Stand-in for the leaders' message board (人民网 领导留言板), DOMAIN.md §4.1.

Protocol contract (what :mod:`resolvers.adapters.board` speaks):

- Every call is ``POST`` with an ``application/x-www-form-urlencoded`` body and answers JSON with HTTP 200 —
  errors too: ``{"result": "success", "code": "0000", "message": "", "data": ...}`` or
  ``{"result": "fail", "code": ..., "message": ...}``. Codes: ``SIGN_ERROR`` (signature, appCode or timestamp;
  carries ``serverTime`` in ms), ``PARAM_ERROR``, ``NOT_EXIST`` (thread or forum), ``STATE_ERROR``.
- Every call is signed (:mod:`legacy.board.signature`): form fields ``appCode``, ``timestamp`` (ms, within 5
  minutes of the board's clock) and ``signature`` = hex HMAC-SHA256(secret, the other fields sorted by key as
  ``k=v`` joined with ``&``).
- ``/v1/threads/queryThreadsList``: ``fid`` (forum = one leader's board; 0 or absent = every forum),
  ``lastItem`` (tid watermark: threads with ``tid < lastItem``, newest first; 0 or absent = from the newest),
  ``pageSize`` (1-50, default 10), optional ``stateInfo``, ``keywords``, ``linktel``. ``data`` is a list of
  threads without the poster's private fields, or ``null`` when nothing matches.
- ``/v1/threads/content``: ``tid`` → one thread with the private ``truename``/``linktel``/``address``. There is
  no batch read.
- ``/v1/threads/reply`` (``tid``, ``answerOrganization``, ``answerContent``) and ``/v1/threads/state`` (``tid``,
  ``stateInfo``) handle a thread along :mod:`legacy.board.workflow`.
- A WAF sits in front: a form value that looks like an injection answers HTTP 403 with an HTML page.

Quirks kept on purpose: ``dateline`` is Unix seconds but ``answerTime`` a ``YYYY-MM-DD HH:MM:SS`` string (empty
when unanswered); ``favNum`` is a string in lists and a number in details; ``gradeManner``/``gradeSpeed`` are 0
when not rated; 领域 and 类型 come as names only; ``linktel`` is stored as the poster typed it.
"""
