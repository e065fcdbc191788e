"""Stand-in for the suggestion-collection system (人民建议征集), DOMAIN.md §0–§1 — the fifth channel.

The province's chain is 征集—交办—办理—反馈—评价—激励 (collect, assign, handle, feed back, evaluate, reward).
This stand-in is the worked example of issue 4: a small system an integrator adds to a running graph.

Protocol contract (what :mod:`resolvers.adapters.suggestion` speaks) — JSON over HTTP, RuoYi style:

- Auth: every ``/api/`` request carries ``X-App-Id`` and ``X-Api-Key`` (a static key per client; no session, so
  no re-login). Anything else answers HTTP 401 ``{"code": 401, "msg": "…"}``.
- ``GET /api/v2/suggestions?pageNum=1&pageSize=20`` (``pageNum`` 1-based, ``pageSize`` 1–100) with optional
  filters ``zt`` (status code), ``lxdh`` (phone, any format), ``sfzh`` (ID number), ``keyword`` (title or
  content) → ``{"code": 200, "msg": "查询成功", "total": N, "rows": [...]}``, newest first.
- ``GET /api/v2/suggestions/{jybh}`` → ``{"code": 200, "msg": "操作成功", "data": {...}}``; 404 if unknown.
- ``POST /api/v2/suggestions/batch {"jybhs": [...]}`` (at most 100) → ``{"code": 200, "rows": [...]}``; unknown
  numbers are simply absent.
- ``POST /api/v2/suggestions`` (征集: ``jybt``, ``jynr``, ``jyrxm``, ``lxdh``, ``jylb``, optional ``sfzh``,
  ``jyrxb``, ``qd``, ``wzdz``) → the new record.
- ``POST /api/v2/suggestions/{jybh}/{action}`` moves a record along :mod:`legacy.suggestion.workflow`
  (``assign`` 交办 with ``cbdw``/``cbdwdm``, ``reject``, ``handle``, ``feedback`` with ``fknr``/``cnqk``,
  ``evaluate`` with ``pjdj``, ``reward`` with ``jljf``, ``close``) → the updated record; a step the state does not
  allow answers 409.
- Writes may carry ``X-Request-Id``: a write whose id was seen before writes nothing and answers the record as it
  stands (:mod:`legacy.receipts`), so a client can send a write again after a timeout.
- Errors: HTTP 400/401/404/409 with ``{"code": <status>, "msg": "…"}``.

Record fields (pinyin abbreviations, as such systems keep them): ``jybh`` 建议编号, ``jybt`` 标题, ``jynr`` 内容,
``jyrxm``/``jyrxb`` 建议人姓名/性别, ``lxdh`` 联系电话, ``sfzh`` 身份证号, ``jylb``/``jylbdm`` 建议类别, ``qd`` 渠道,
``tjsj`` 提交时间, ``zt``/``ztmc`` 状态, ``bslyy`` 不受理原因, ``cbdw``/``cbdwdm`` 承办单位, ``jbsj`` 交办时间,
``blqx`` 办理期限, ``fknr``/``fksj`` 反馈, ``cnqk`` 采纳情况, ``pjdj`` 评价等级, ``jljf`` 激励积分, ``wzdz`` 位置,
``xzqhdm`` 行政区划代码.

Quirks kept on purpose: times are ``YYYY-MM-DD HH:MM:SS`` strings and ``blqx`` a date only; "no value" is ``""``
except ``jljf``, which is a number or ``null``; ``pjdj`` is a digit string; ``cnqk`` is a code (``1`` 采纳,
``2`` 部分采纳, ``0`` 未采纳, ``""`` undecided); ``lxdh`` is stored as the citizen typed it.
"""
