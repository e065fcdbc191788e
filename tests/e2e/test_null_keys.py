"""An entity whose key has a null field cannot be represented: it is skipped, not sent, and gets no error."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"


async def test_entity_with_a_null_key_field_is_skipped(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ cases { id archivedAt } }")

    assert_data(
        result,
        {
            "cases": [
                {"id": "c1", "archivedAt": "2026-11-15"},
                {"id": "c2", "archivedAt": None},
                {"id": "c3", "archivedAt": "2026-01-10"},
                {"id": "c4", "archivedAt": None},
                {"id": "c5", "archivedAt": None},
            ]
        },
        gateway,
    )
    assert "errors" not in result, result
    (request,) = scenario.subgraphs["archive"].entity_requests()
    sent = request.variables["representations"]
    assert len(sent) == 4
    assert all(r["number"] is not None for r in sent)


async def test_only_entity_has_a_null_key_so_nothing_is_sent(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c4") { title archivedAt } }')

    assert_data(result, {"case": {"title": "Anonymous tip: illegal dumping", "archivedAt": None}}, gateway)
    assert "errors" not in result, result
    assert scenario.subgraphs["archive"].entity_requests() == []


async def test_null_entity_reference_is_skipped(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c4") { reporter { name } } }')

    assert_data(result, {"case": {"reporter": None}}, gateway)
    assert scenario.calls() == {"cases": 1}
