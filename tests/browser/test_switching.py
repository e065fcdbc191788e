"""无感切换 in a real headless Chromium against the processes ``minyi demo`` starts: a 12345 ticket linked to a 信访
item as 重合件 (by the dispatcher, through the workbench), and the operator who registered the ticket moving to the
petition in one click — no login, no new page — where the role sees its existence, status and unit, and nothing to
reveal."""

from __future__ import annotations

import pytest

from tests.browser.workbench import Page

pytestmark = pytest.mark.slow

HIDDEN = "（按您的角色不可见）"


def _first_row(page: Page, system: str) -> str:
    page.find("table.appeals tbody a", timeout=90)
    page.choose('select[name="system"]', system)
    row = page.find(f'table.appeals tbody tr[data-id^="{system.lower()}:"]')
    appeal_id = row.get_attribute("data-id")
    assert appeal_id is not None
    return appeal_id


def _open(page: Page, appeal_id: str) -> None:
    page.find(f'table.appeals tr[data-id="{appeal_id}"] a').click()
    page.wait(lambda d: page.all("dl.facts"), what="the appeal")


def test_the_operator_moves_from_a_ticket_to_its_overlapping_petition_in_one_click_and_sees_what_the_role_may(
    page: Page,
) -> None:
    # a ticket the operator registered, from their own queue
    page.open("/portal/")
    page.log_in("operator")
    ticket = _first_row(page, "HOTLINE")
    page.log_out()

    # the dispatcher links it to a 信访 item as 重合件 (关联重复件), written through to the hotline
    page.find("main button").click()  # 重新登录
    page.log_in("dispatcher")
    petition = _first_row(page, "PETITION")
    page.open(f"/portal/#/appeal/{ticket}")
    page.wait(lambda d: page.all("dl.facts"), what="the ticket")
    page.find('.action-buttons button[data-action="link"]').click()
    page.type_into('form.action-form [name="duplicateId"]', petition)
    page.choose('form.action-form [name="kind"]', "OVERLAP")
    page.find("form.action-form button[type=submit]").click()
    page.find('.writes li[data-state="APPLIED"]', timeout=90)
    page.find(f'.links li[data-kind="OVERLAP"] a[href="#/appeal/{petition.replace(":", "%3A")}"]')
    page.shot("dispatcher-linked")
    page.log_out()

    # the operator opens the ticket and follows the link: same page, same login
    page.find("main button").click()
    page.log_in("operator")
    page.find("table.appeals tbody a", timeout=90)
    page.choose('select[name="system"]', "HOTLINE")
    _open(page, ticket)
    link = page.find('.links li[data-kind="OVERLAP"]')
    assert "重合件" in link.text and "信访" in link.text
    page.shot("operator-ticket")
    session = page.session()
    page.script("window.stillTheSamePage = true")
    link.find_element("css selector", "a").click()
    page.wait(lambda d: "#/appeal/petition%3A" in d.current_url, what="the petition")
    page.wait_text("article .system", "信访")
    assert page.script("return window.stillTheSamePage") is True  # no reload, no login page on the way
    assert (page.session() or {}).get("user") == (session or {}).get("user")
    page.shot("operator-petition")

    # what a hotline role may see of a 信访 item: that it exists, its status (with the system's word) and its unit
    facts = page.text_of("dl.facts")
    assert "状态" in facts and "（" in facts  # unified status with the legacy status beside it
    assert "主办单位" in facts and "—" not in facts.split("主办单位", 1)[1].split("\n")[1]
    assert page.text_of("#appeal-title") == HIDDEN
    assert page.text_of("p.content") == HIDDEN
    assert "您的角色不可查看诉求人信息" in page.text_of("article")
    assert page.all("#reveal-reason") == [] and page.all(".action-buttons") == []
    assert "部分信息按您的角色不予显示" in page.text_of("article")
