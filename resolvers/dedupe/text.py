"""Text features of an appeal for duplicate detection: normalized text, jieba words, character shingles, MinHash.

Numbers that identify people (phones, ID numbers) are removed before anything is compared or fingerprinted, and
so are punctuation and spaces. A MinHash fingerprint (datasketch, character 3-gram shingles) carries no text: it is
what the index keeps.
"""

from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache

from datasketch import MinHash

with warnings.catch_warnings():  # jieba 0.42 has invalid escape sequences: a warning when first compiled
    warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.11
    warnings.simplefilter("ignore", SyntaxWarning)  # Python 3.12 and later
    import jieba

jieba.setLogLevel(logging.WARNING)

__all__ = ["NUM_PERM", "fingerprint", "normalize", "shingles", "words"]

NUM_PERM = 64
_IDENTIFIERS = re.compile(r"\d{17}[\dXx]|\d{15}|1\d{10}|\d{3,4}-?\d{7,8}")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_STOP = frozenset(
    [
        "的",
        "了",
        "在",
        "是",
        "我",
        "有",
        "和",
        "就",
        "不",
        "人",
        "都",
        "一",
        "一个",
        "也",
        "很",
        "到",
        "说",
        "要",
        "去",
        "你",
        "会",
        "着",
        "没有",
        "看",
        "好",
        "自己",
        "这",
        "请",
        "我们",
        "他们",
        "相关",
        "部门",
    ]
)


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    return _NOISE.sub("", _IDENTIFIERS.sub("", text))


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """The text's words (jieba, precise mode), stop words and single characters left out."""
    return tuple(w for w in jieba.lcut(normalize(text)) if len(w) > 1 and w not in _STOP)


def shingles(text: str, n: int = 3) -> frozenset[str]:
    clean = normalize(text)
    if len(clean) <= n:
        return frozenset({clean}) if clean else frozenset()
    return frozenset(clean[i : i + n] for i in range(len(clean) - n + 1))


@lru_cache(maxsize=8192)
def fingerprint(text: str, num_perm: int = NUM_PERM) -> MinHash:
    """The MinHash of the text's character 3-grams (the same text always gives the same one; do not mutate it)."""
    signature = MinHash(num_perm=num_perm, seed=7)
    signature.update_batch([s.encode() for s in sorted(shingles(text))])
    return signature
