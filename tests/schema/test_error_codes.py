"""One published list of error codes: every code the code base sends is in it, and the README shows all of them."""

from __future__ import annotations

import re
from pathlib import Path

from schema.error_codes import ERROR_CODES, error_codes_text, is_retryable

ROOT = Path(__file__).resolve().parents[2]
_SENT = (
    re.compile(r'\bcode\s*=\s*"([A-Z][A-Z_]+)"'),
    re.compile(r'"code":\s*"([A-Z][A-Z_]+)"'),
    re.compile(r'(?:_error|render_error|BadRequest)\([^()]*?"([A-Z][A-Z_]{3,})",?\s*\)', re.S),
)


def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for package in ("gateway", "subgraphs", "resolvers", "auth"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in _SENT:
                found.update(pattern.findall(text))
    return found


def test_every_code_the_code_base_sends_is_published() -> None:
    published = {c.code for c in ERROR_CODES}
    sent = _codes_in_source()
    assert {"LEGACY_UNAVAILABLE", "FORBIDDEN", "PERSONAL_DATA_IN_URL", "CSRF_PREVENTED"} <= sent  # the scan works
    assert sent - published - {"LEGACY_ERROR"} == set()  # LEGACY_ERROR: the abstract base, never sent


def test_the_readme_lists_every_code_with_whether_a_retry_may_help() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ERROR_CODES:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{code.code}` |")), None)
        assert row is not None, f"{code.code} is missing from the README's error table"
        assert ("| yes |" if code.retryable else "| no |") in row


def test_the_query_description_lists_every_code() -> None:
    text = error_codes_text()
    assert all(f"`{c.code}`" in text for c in ERROR_CODES)
    assert is_retryable("LEGACY_UNAVAILABLE") and not is_retryable("FORBIDDEN") and not is_retryable("UNLISTED")
