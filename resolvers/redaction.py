"""Personal data inside free text (content, replies, notes) found and masked before the text leaves its subgraph.

What is found (DOMAIN.md §8: "PII in the text redacted"; PIPL Art 6, 51; 信访工作条例 Art 30 ¶3):

- mainland mobile numbers: 11 digits ``1[3-9]…``, also written ``+86``/``86``-prefixed or in groups
  (``138 0013 8000``, ``138-0013-8000``) → ``138****8000``;
- landlines: an area code ``0xx``/``0xxx`` and 7–8 digits (``0731-84567890``, ``(0731)84567890``,
  ``073184567890``) → ``0731-****7890``; a bare 7–8 digit number only right after a telephone word (电话, 座机,
  手机, 联系方式, 号码, 打, Tel …), since alone it is as likely an amount or a case number;
- resident ID numbers (居民身份证号码, GB 11643): 18 characters whose area code names a province, whose birth date
  is a real date not in the future, and whose check character matches (ISO 7064 MOD 11-2) → ``430102********1234``;
- bank-card numbers: 16–19 digits (also in groups of four) with an issuer prefix (3, 4, 5, 6) and a valid Luhn
  check digit → ``6222 **** **** 1234`` shape, first 4 and last 4 kept;
- names where they are recognisable: after a word that introduces a person (我叫, 本人, 姓名, 联系人, 来电人,
  举报人, 投诉人, 反映人, 被举报人, 户主 …) and starting with a common family name → the family name + 某
  (``张某``).

A number inside a longer run of digits or letters (an order number, a tracking code, an ID that fails its check)
is left alone: a false redaction hides facts a handler needs. Text with nothing found is returned unchanged, the
same string. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum

__all__ = ["Finding", "Kind", "find_personal_data", "redact", "valid_id_number", "valid_luhn"]


class Kind(Enum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    ID_NUMBER = "id_number"
    BANK_CARD = "bank_card"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    start: int
    end: int
    masked: str


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def valid_id_number(number: str, today: date | None = None) -> bool:
    """An 18-character resident ID number: known province, a real birth date (1900 … today), the check character."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789Xx":
        return False
    if number[:2] not in _PROVINCES:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not date(1900, 1, 1) <= born <= (today or date.today()):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def valid_luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# Boundaries: no digit, Latin letter or digit-joining mark right before or after a number.
_B = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
_SEP = r"[ \-]?"

_ID_RE = re.compile(_B + r"(\d{17}[\dXx])" + _E)
_CARD_RE = re.compile(_B + r"([3-6]\d{3}(?:[ \-]?\d{4}){3}(?:[ \-]?\d{3})?)" + _E)
_MOBILE_RE = re.compile(_B + r"(?:\+?86[ \-]?)?(1[3-9]\d)" + _SEP + r"(\d{4})" + _SEP + r"(\d{4})" + _E)
_LANDLINE_RE = re.compile(_B + r"(?:[(（](0\d{2,3})[)）]|(0\d{2,3}))[ \-]?([2-9]\d{6,7})" + r"(?:[-转]\d{1,5})?" + _E)
_LOCAL_RE = re.compile(
    r"((?:电话|座机|手机|联系方式|号码|热线|致电|拨打|Tel|TEL|tel)[：: 是为]{0,3})([2-9]\d{6,7})" + _E
)

# Common family names (single-character, then compound): a name is recognised only after a word that introduces
# a person, and only when it starts with one of these.
_SINGLE_SURNAMES = (
    "王李张刘陈杨黄吴赵周徐孙马朱胡林郭何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"
    "汤向常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴"
    "盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = [
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "令狐",
    "夏侯",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "万俟",
    "闻人",
]
_SURNAME = "|".join(_COMPOUND_SURNAMES) + "|[" + _SINGLE_SURNAMES + "]"
_NAME_CUE = (
    r"(?:我叫|我是|本人|姓名|名字叫|名叫|联系人|来电人|来信人|举报人|投诉人|反映人|被举报人|被投诉人|户主|业主|"
    r"当事人|申请人|信访人)"
)
_NAME_RE = re.compile(
    r"(" + _NAME_CUE + r"[：:是为 ]{0,2})(" + _SURNAME + r")(?!先生|女士|某)([\u4e00-\u9fa5]{1,2}?)"
    r"(?=[，。,.；;：:、\s（(\d]|电话|手机|联系|身份证|反映|投诉|举报|住|家住|现住|是|先生|女士|$)"
)


def _id(m: re.Match[str]) -> str | None:
    number = m.group(1)
    return number[:6] + "********" + number[-4:] if valid_id_number(number) else None


def _card(m: re.Match[str]) -> str | None:
    digits = re.sub(r"\D", "", m.group(1))
    if len(digits) not in (16, 19) or not valid_luhn(digits):
        return None
    return digits[:4] + " **** **** " + digits[-4:]


def _mobile(m: re.Match[str]) -> str:
    return m.group(1) + "****" + m.group(3)


def _landline(m: re.Match[str]) -> str:
    area = m.group(1) or m.group(2)
    return f"{area}-****{m.group(3)[-4:]}"


def _local(m: re.Match[str]) -> str:
    return m.group(1) + "****" + m.group(2)[-4:]


def _name(m: re.Match[str]) -> str:
    return m.group(1) + m.group(2) + "某"


# Most specific first: an 18-digit ID must not be read as a card, a card not as a phone. Each rule masks its
# whole match (a cue word it matched is given back unchanged), or declines (``None``: a failed check).
_RULES: tuple[tuple[Kind, re.Pattern[str], Callable[[re.Match[str]], str | None]], ...] = (
    (Kind.ID_NUMBER, _ID_RE, _id),
    (Kind.BANK_CARD, _CARD_RE, _card),
    (Kind.MOBILE, _MOBILE_RE, _mobile),
    (Kind.LANDLINE, _LANDLINE_RE, _landline),
    (Kind.LANDLINE, _LOCAL_RE, _local),
    (Kind.NAME, _NAME_RE, _name),
)


def find_personal_data(text: str) -> list[Finding]:
    """Every piece of personal data found in ``text``, in order, none overlapping (the more specific kind wins)."""
    found: list[Finding] = []
    for kind, pattern, mask in _RULES:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < f.end and f.start < end for f in found):
                continue
            masked = mask(m)
            if masked is not None:
                found.append(Finding(kind, start, end, masked))
    return sorted(found, key=lambda f: f.start)


def redact(text: str) -> str:
    """``text`` with every finding masked; the very same string when nothing is found."""
    findings = find_personal_data(text)
    if not findings:
        return text
    out: list[str] = []
    cursor = 0
    for f in findings:
        out.append(text[cursor : f.start])
        out.append(f.masked)
        cursor = f.end
    out.append(text[cursor:])
    return "".join(out)
