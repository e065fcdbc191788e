from __future__ import annotations

from datetime import datetime

import pytest

from resolvers.domain import (
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_phone,
    parse_legacy_datetime,
    person_key,
)

SECRET = b"test-secret"


def test_person_key_is_the_same_for_every_spelling_of_a_phone() -> None:
    spellings = ("13800138000", "+86 138 0013 8000", "138-0013-8000", "8613800138000")
    assert len({person_key(SECRET, phone=p) for p in spellings}) == 1


def test_person_key_never_contains_the_number_and_depends_on_the_secret() -> None:
    key = person_key(SECRET, phone="13800138000")
    assert "13800138000" not in key and len(key) == 32
    assert key != person_key(b"other", phone="13800138000")


def test_person_key_falls_back_to_the_id_number() -> None:
    assert person_key(SECRET, id_number="43010219900101123x") == person_key(SECRET, id_number="43010219900101123X")
    with pytest.raises(ValueError, match="phone number or an ID number"):
        person_key(SECRET)


def test_masks_follow_the_personal_data_rules() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number("430102199001011234") == "430102********1234"
    assert mask_name("王小明", "男") == "王先生"
    assert mask_name("李芳", "女") == "李女士"
    assert mask_name("张三", None) == "张某"
    assert normalize_phone("0731-8888 6666") == "073188886666"


def test_legacy_datetimes_parse_strictly() -> None:
    assert parse_legacy_datetime("2026-03-01 08:05:09") == datetime(2026, 3, 1, 8, 5, 9)
    for bad in ("2026-02-30 08:05:09", "2026-03-01T08:05:09", "2026-03-01 08:05", "2026-03-01 24:00:00", "yesterday"):
        with pytest.raises(ValueError):
            parse_legacy_datetime(bad)
