"""智能判重 on hand-made appeals: what is merged, what is only suggested, and what never meets."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta

from resolvers.dedupe.blocking import candidate_pairs, place_key
from resolvers.dedupe.item import DedupeItem
from resolvers.dedupe.score import Decision, Reason, score_pair
from resolvers.dedupe.text import fingerprint, normalize, words
from resolvers.domain import Confidentiality, SourceSystem

AT = datetime(2026, 11, 2, 9, 0)
NOISE = DedupeItem(
    id="hotline:1",
    system=SourceSystem.HOTLINE,
    received_at=AT,
    title="锦绣社区菜市场旁餐馆油烟扰民",
    content="锦绣社区菜市场旁的餐馆油烟直排，每天中午和晚上最严重，请相关部门处理。联系电话13800001111",
    address="湖南省长沙市开福区东风路街道锦绣社区菜市场旁",
    category="环境保护",
    admin_code="430105002003",
    grid_code="430105002003001",
    person_key="person-a",
)


def test_identifying_numbers_never_reach_the_text_features() -> None:
    assert "13800001111" not in normalize(NOISE.content)
    assert "油烟" in words(NOISE.content)
    assert len(fingerprint(NOISE.text).hashvalues) == 64


def test_the_same_person_on_the_same_matter_in_another_system_is_a_duplicate() -> None:
    again = replace(
        NOISE,
        id="petition:9",
        system=SourceSystem.PETITION,
        received_at=AT + timedelta(days=3),
        content="之前反映过，至今未解决。" + NOISE.content,
        grid_code="",
    )
    scored = score_pair(NOISE, again)
    assert scored.decision is Decision.DUPLICATE
    assert Reason.SAME_PERSON in scored.reasons and Reason.SIMILAR_TEXT in scored.reasons


def test_a_template_text_from_someone_elsewhere_is_at_most_suggested() -> None:
    elsewhere = replace(
        NOISE,
        id="board:5",
        system=SourceSystem.MSGBOARD,
        title="金霞社区小区东门餐馆油烟扰民",
        content=NOISE.content.replace("锦绣社区菜市场旁", "金霞社区小区东门"),
        address="湖南省长沙市开福区青竹湖街道金霞社区小区东门",
        admin_code="430105004001",
        grid_code="",
        person_key="person-b",
    )
    assert score_pair(NOISE, elsewhere).decision is not Decision.DUPLICATE


def test_the_confidentiality_boundary_is_never_crossed() -> None:
    secret = replace(NOISE, id="hotline:2", confidentiality=Confidentiality.SECRET)
    assert score_pair(NOISE, secret).decision is Decision.DISTINCT
    accusation = replace(NOISE, confidentiality=Confidentiality.ACCUSATION, accused="43010503")
    same_accused = replace(accusation, id="petition:3", system=SourceSystem.PETITION)
    other_accused = replace(same_accused, accused="43010201")
    scored = score_pair(accusation, same_accused)
    assert scored.decision is Decision.SUGGEST and Reason.ACCUSATION_NOT_MERGED in scored.reasons
    assert score_pair(accusation, other_accused).decision is Decision.DISTINCT


def test_blocks_propose_person_place_and_text_neighbours_within_the_window() -> None:
    same_person = replace(NOISE, id="grid:1", title="其他问题", content="路灯不亮", category="城乡建设", grid_code="")
    same_place = replace(NOISE, id="grid:2", person_key="person-c", title="噪音", content="夜间施工噪音")
    same_text = replace(NOISE, id="board:3", person_key=None, address="", admin_code="", grid_code="", category="")
    too_late = replace(NOISE, id="board:4", received_at=AT + timedelta(days=60))
    pairs = candidate_pairs([NOISE, same_person, same_place, same_text, too_late])
    assert {p for p in pairs if "hotline:1" in p} == {
        ("grid:1", "hotline:1"),
        ("grid:2", "hotline:1"),
        ("board:3", "hotline:1"),
    }
    assert place_key(same_text) == ""


def test_the_score_weighs_text_place_category_person_and_time_as_published() -> None:
    same = replace(NOISE, id="board:9", system=SourceSystem.MSGBOARD)
    assert score_pair(NOISE, same).score == 1.0  # every part at its highest
    assert score_pair(NOISE, replace(same, person_key="person-b")).score == 0.9  # the person weighs 0.10
    assert score_pair(NOISE, replace(same, category="城乡建设")).score == 0.85  # the category 0.15
    month_later = replace(same, received_at=AT + timedelta(days=30))  # time decays over the 30-day window
    assert score_pair(NOISE, month_later).score == round(0.95 + 0.05 * math.exp(-1), 4)


def test_other_people_are_merged_only_at_the_same_place_from_090() -> None:
    other = replace(NOISE, id="board:9", system=SourceSystem.MSGBOARD, person_key="person-b")
    merged = score_pair(NOISE, other)  # 0.90, same grid cell
    assert merged.decision is Decision.DUPLICATE and Reason.SAME_GRID in merged.reasons
    assert score_pair(NOISE, replace(other, category="城乡建设")).decision is Decision.SUGGEST  # 0.75
