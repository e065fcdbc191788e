"""Stand-in for the city's 12345 hotline work-order system (工单系统), DOMAIN.md §2.

The protocol copies a RuoYi-era Java back end: JSON over HTTP with pinyin-abbreviation field names, string dates
``YYYY-MM-DD HH:MM:SS``, and every answer HTTP 200 with the outcome in the body — ``{"code": 0, "data": ...}`` on
success, ``{"code": 400 | 401 | 404 | 500, "msg": "..."}`` otherwise. See :mod:`legacy.hotline.protocol` for the
field list and :mod:`legacy.hotline.routes` for the endpoints; the workflow (city-level state plus one state per
unit) is in :mod:`legacy.hotline.workflow`, time limits in :mod:`legacy.hotline.limits`.
"""
