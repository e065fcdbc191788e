"""Personal data in free text: each pattern, its look-alikes left alone, and the labelled set's targets."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import pytest

from resolvers.redaction import Kind, find_personal_data, redact, valid_id_number, valid_luhn

LABELLED = Path(__file__).resolve().parents[2] / "bench" / "data" / "redaction_set.jsonl"
ID = "11010519491231002X"  # the GB 11643 example number: valid check character
CARD = "6222021234567890128"  # 19 digits, Luhn-valid


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("电话13812345678", "电话138****5678"),
        ("手机：138 1234 5678，", "手机：138****5678，"),
        ("请回电138-1234-5678。", "请回电138****5678。"),
        ("+86 13812345678", "138****5678"),
        ("座机0731-84567890", "座机0731-****7890"),
        ("座机（0731）84567890", "座机0731-****7890"),
        ("可打073184567890联系", "可打0731-****7890联系"),
        ("办公电话84567890", "办公电话****7890"),
        (f"身份证{ID}。", "身份证110105********002X。"),
        (f"卡号{CARD}", "卡号6222 **** **** 0128"),
        ("卡号6222 0212 3456 7890 128", "卡号6222 **** **** 0128"),
        ("我叫张三丰，", "我叫张某，"),
        ("联系人：欧阳娜娜，", "联系人：欧阳某，"),
        ("反映人王五电话", "反映人王某电话"),
        ("联系人赵敏13907310042", "联系人赵某139****0042"),
    ],
)
def test_planted_personal_data_is_masked(text: str, shown: str) -> None:
    assert redact(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "工单号20260112000123已转办",  # an order number, 14 digits
        "涉及金额13800元",
        "区划代码430121002008，网格430121002008009",
        "编号110105194912310021",  # ID-shaped, wrong check character
        "编号110105203012310028",  # ID-shaped, born in the future
        "流水号6222021234567890124",  # card-shaped, fails Luhn
        "回执12345678901",  # 11 digits, but no mobile starts with 12
        "交易流水12313812345678123456",  # a mobile-like run inside a longer serial
        "设备SN13812345678",  # glued to letters
        "曾拨打12345和110，邮编410005",
        "联系人：李先生，",  # already masked
        "本人反映的问题",  # a cue word without a name after it
    ],
)
def test_look_alikes_keep_their_exact_wording(text: str) -> None:
    assert redact(text) is text


def test_text_without_personal_data_is_the_same_string() -> None:
    text = "小区门口垃圾堆积多日无人清运，请尽快处理。"
    assert redact(text) is text


def test_the_more_specific_reading_wins_and_findings_do_not_overlap() -> None:
    found = find_personal_data(f"身份证{ID}，卡{CARD}，手机13812345678")
    assert [f.kind for f in found] == [Kind.ID_NUMBER, Kind.BANK_CARD, Kind.MOBILE]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_checks_of_id_and_card_numbers() -> None:
    assert valid_id_number(ID) and valid_id_number(ID.lower())
    assert not valid_id_number("99010519491231002X")  # no such province
    assert not valid_id_number("110105194913310028")  # no 13th month
    assert not valid_id_number("430102202612310010", today=date(2026, 12, 6))  # not born yet
    assert valid_luhn(CARD) and not valid_luhn(CARD[:-1] + "4")


def test_the_labelled_set_meets_its_targets() -> None:
    """bench/redaction.py prints the same figures per kind; here only the targets: recall ≥ 0.99 on the planted
    numbers, at most 1% of the decoys touched."""
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 500
    planted = found = decoys = spoiled = 0
    for row in rows:
        out = redact(row["text"])
        for kind, value, written in row["planted"]:
            if kind != "name":
                planted += 1
                found += value not in out and written not in out
        for _, value in row["decoys"]:
            decoys += 1
            spoiled += value not in out
    assert found / planted >= 0.99
    assert spoiled / decoys <= 0.01
