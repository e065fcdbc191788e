"""Generate the labelled set for ``bench/redaction.py``: appeal texts with planted personal data and decoy numbers.

Each line of ``bench/data/redaction_set.jsonl`` is ``{"text": …, "planted": [[kind, value, as written], …],
"decoys": [[kind, value], …]}``: ``planted`` are the mobile, landline, ID, bank-card numbers and names a redactor must hide;
``decoys`` are numbers that are not personal data (order and case numbers, dates, amounts, admin and grid codes,
ID-shaped numbers failing their check, card-shaped numbers failing Luhn, 11-digit numbers that are no mobile,
service numbers, express tracking codes, long serials with a mobile-like run inside, codes glued to letters, and
case numbers built of area code + date + sequence — ID-shaped, of which about one in eleven passes the ID check
and cannot be told from an ID number) and must come through unchanged. Synthetic (faker ``zh_CN`` and our own
generators, fixed seed): the set is checked in, so its labels can be read and reviewed.

    .venv/bin/python bench/redaction_set.py            # writes bench/data/redaction_set.jsonl (600 texts)
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

OUT = Path(__file__).resolve().parent / "data" / "redaction_set.jsonl"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_AREAS = ("0731", "0733", "0734", "010", "020", "021", "027", "0755", "0736", "0739")
_ISSUES = (
    "小区门口垃圾堆积多日无人清运",
    "楼下餐馆油烟扰民，晚上十点后仍在营业",
    "单位拖欠工资三个月未发",
    "道路施工夜间噪音严重影响休息",
    "物业擅自提高停车费",
    "社区路灯损坏半个月无人维修",
    "反映学校周边占道经营问题",
    "房屋漏水，开发商拒不维修",
    "医保报销迟迟未到账",
    "举报某公司违规排放污水",
)


def id_number(rng: random.Random, valid: bool = True) -> str:
    area = rng.choice(("430102", "430121", "430104", "110105", "440305", "320106"))
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    body = f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return body + check


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch)
        if i % 2 == 0:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return str((10 - total % 10) % 10)


def card_number(rng: random.Random, valid: bool = True) -> str:
    length = rng.choice((16, 19))
    prefix = rng.choice(("622202", "621700", "622848", "625965", "436742", "518710"))
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randrange(1, 10)) % 10)
    return body + check


def mobile(fake: Faker, rng: random.Random) -> tuple[str, str]:
    number = fake.phone_number()
    style = rng.randrange(5)
    if style == 1:
        return number, f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == 2:
        return number, f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style == 3:
        return number, f"+86 {number}"
    return number, number


def landline(rng: random.Random) -> tuple[str, str]:
    area = rng.choice(_AREAS)
    local = str(rng.randrange(2, 10)) + "".join(str(rng.randrange(10)) for _ in range(rng.choice((6, 7))))
    style = rng.randrange(3)
    written = f"{area}-{local}" if style == 0 else f"({area}){local}" if style == 1 else f"{area}{local}"
    return local, written


def decoy(rng: random.Random) -> tuple[str, str]:
    kind = rng.randrange(15)
    if kind == 12:  # a 20-digit serial with a mobile-like run inside
        inner = "1" + rng.choice("3456789") + "".join(str(rng.randrange(10)) for _ in range(9))
        return "long_serial", f"{rng.randrange(100, 1000)}{inner}{rng.randrange(100000, 1000000)}"
    if kind == 13:  # a case number of area + date + sequence: ID-shaped, right length, a real recent date
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        return "case_no", f"430100{day:%Y%m%d}{rng.randrange(10000):04d}"
    if kind == 14:  # a mobile-like number glued to letters (a device or account code)
        return "glued_code", "SN" + "1" + rng.choice("3456789") + "".join(str(rng.randrange(10)) for _ in range(9))
    if kind == 0:
        value = f"2026{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000000):06d}"
        return "order_no", value
    if kind == 1:
        return "amount", str(rng.randrange(100, 99999))
    if kind == 2:
        return "date", f"2026{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    if kind == 3:
        return "admin_code", f"430121{rng.randrange(1, 20):03d}{rng.randrange(1, 30):03d}"
    if kind == 4:
        return "grid_code", f"430121{rng.randrange(1, 20):03d}{rng.randrange(1, 30):03d}{rng.randrange(1, 99):03d}"
    if kind == 5:
        return "bad_id", id_number(rng, valid=False)
    if kind == 6:
        return "bad_card", card_number(rng, valid=False)
    if kind == 7:
        return "not_mobile", rng.choice(("10", "11", "12")) + "".join(str(rng.randrange(10)) for _ in range(9))
    if kind == 8:
        return "service_no", rng.choice(("12345", "110", "12315", "96111", "400-800-8888"))
    if kind == 9:
        return "tracking", "SF" + "".join(str(rng.randrange(10)) for _ in range(12))
    if kind == 10:
        return "petition_no", f"XF430100{rng.randrange(2020, 2027)}{rng.randrange(100000):06d}"
    return "postcode", f"410{rng.randrange(1000):03d}"


_DECOY_FRAMES = {
    "order_no": "工单号{}",
    "amount": "涉及金额{}元",
    "date": "于{}反映过",
    "admin_code": "区划代码{}",
    "grid_code": "网格{}",
    "bad_id": "编号{}",
    "bad_card": "流水号{}",
    "not_mobile": "回执{}",
    "service_no": "曾拨打{}",
    "tracking": "快递单号{}",
    "petition_no": "原信访件{}",
    "postcode": "邮编{}",
    "long_serial": "交易流水{}",
    "case_no": "案件编号{}",
    "glued_code": "设备{}",
}


def text(fake: Faker, rng: random.Random) -> dict[str, object]:
    parts: list[str] = []
    planted: list[list[str]] = []
    decoys: list[list[str]] = []
    name = fake.name()
    if rng.random() < 0.6:
        cue = rng.choice(("我叫", "本人", "联系人：", "反映人", "姓名："))
        parts.append(f"{cue}{name}，")
        planted.append(["name", name, name])
    parts.append(rng.choice(_ISSUES) + "。")
    for _ in range(rng.randrange(1, 4)):
        kind = rng.choice(("mobile", "mobile", "landline", "id_number", "bank_card"))
        if kind == "mobile":
            value, written = mobile(fake, rng)
            parts.append(rng.choice(("联系电话{}。", "手机：{}，", "电话{}谢谢。", "请回电{}。")).format(written))
        elif kind == "landline":
            value, written = landline(rng)
            parts.append(rng.choice(("座机{}。", "办公电话：{}，", "可打{}联系。")).format(written))
        elif kind == "id_number":
            value = written = id_number(rng)
            parts.append(rng.choice(("身份证号{}。", "证件号码：{}，", "（身份证{}）")).format(written))
        else:
            value = card_number(rng)
            written = " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if rng.random() < 0.4 else value
            parts.append(rng.choice(("工资卡号{}。", "银行卡：{}，", "退款请打到{}。")).format(written))
        planted.append([kind, value, written])
    for _ in range(rng.randrange(1, 4)):
        kind, value = decoy(rng)
        parts.append(_DECOY_FRAMES[kind].format(value) + rng.choice(("，", "。", "；")))
        decoys.append([kind, value])
    rng.shuffle(parts)
    return {"text": "".join(parts), "planted": planted, "decoys": decoys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    fake = Faker("zh_CN")
    fake.seed_instance(args.seed)
    rng = random.Random(args.seed)
    rows = [text(fake, rng) for _ in range(args.count)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} texts → {args.out}")


if __name__ == "__main__":
    main()
