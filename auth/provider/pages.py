"""The provider's HTML: the login page (用户名/密码, 登录) and the error and logout pages. Plain escaped strings."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

__all__ = ["error_page", "login_page", "message_page"]

_STYLE = (
    "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;background:#f4f6f8;margin:0}"
    "main{max-width:360px;margin:10vh auto;background:#fff;padding:32px;border-radius:8px;box-shadow:0 2px 8px #0002}"
    "h1{font-size:20px;margin:0 0 24px}label{display:block;margin:12px 0 4px}"
    "input{width:100%;box-sizing:border-box;padding:8px;font-size:16px}"
    "button{margin-top:20px;width:100%;padding:10px;font-size:16px;background:#c0392b;color:#fff;border:0;border-radius:4px}"
    ".error{color:#c0392b;margin:0 0 12px}"
)
_NO_CACHE = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


def _page(title: str, body: str, status: int) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=_NO_CACHE)


def login_page(action: str, csrf: str, *, username: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        "<h1>民意 统一登录</h1>"
        f"{problem}"
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
        '<label for="username">用户名</label>'
        f'<input id="username" name="username" autocomplete="username" required value="{escape(username)}">'
        '<label for="password">密码</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">登录</button></form>'
    )
    return _page("登录 - 民意", body, status)


def error_page(error: str, description: str, *, status: int = 400, code: str | None = None) -> HTMLResponse:
    """An error shown to the user instead of a redirect (bad client or redirect_uri: never redirect)."""
    extra = f"<p><code>{escape(code)}</code></p>" if code else ""
    body = f"<h1>无法继续登录</h1><p>{escape(description)}</p><p><code>{escape(error)}</code></p>{extra}"
    return _page("错误 - 民意", body, status)


def message_page(title: str, text: str) -> HTMLResponse:
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", 200)
