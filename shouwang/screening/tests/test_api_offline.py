"""The offline gate's API: ``POST /screenings/batch`` (a device's queue) and
``GET /checkpoints/{code}/offline`` (the bundle it decides with)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import ZHANG_SAN_ID, World, start_quarantine
from shouwang.core.models import AuditLog
from shouwang.passes.services import qr_payload, revoke_pass
from shouwang.passes.signing import public_key_b64
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.tests.test_gate_page_browser import add_resident


def token_for(username: str) -> str:
    out = StringIO()
    call_command("token", "create", username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def gate_client(world: World) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for('gate')}")


def batch(client: Client, items: list[Any], lang: str = "zh-CN") -> Any:
    return client.post(
        "/api/v1/screenings/batch",
        {"items": items},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def item(qr: str, *, minutes_ago: float = 5, **extra: Any) -> dict[str, Any]:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    body = {
        "id": str(uuid.uuid4()),
        "occurred_at": at.isoformat(),
        "checkpoint": "lixue-e",
        "direction": "in",
        "qr": qr,
        "temperature": "366",
        "mask": True,
    }
    body.update(extra)
    return body


def queue_of_three(world: World) -> list[dict[str, Any]]:
    """Three people screened offline a few minutes apart."""
    others = [add_resident(world, name, seq) for name, seq in (("李四", "013"), ("王五", "025"))]
    return [
        item(qr_payload(world.pass_), minutes_ago=12),
        item(qr_payload(others[0]), minutes_ago=10, temperature="36.8"),
        item(qr_payload(others[1]), minutes_ago=8, direction="out", temperature=None),
    ]


# ---- the batch ------------------------------------------------------------------------------


def test_batch_records_each_item_and_the_same_batch_twice_changes_nothing(
    world: World, gate_client: Client
) -> None:
    items = queue_of_three(world)
    first = batch(gate_client, items)
    assert first.status_code == 200, first.content
    data = first.json()
    assert (data["created"], data["existing"], data["refused"]) == (3, 0, 0)
    assert [r["status"] for r in data["results"]] == [201, 201, 201]
    assert [r["id"] for r in data["results"]] == [i["id"] for i in items]
    assert data["results"][0]["screening"]["decision"] == "admit"
    assert data["results"][0]["screening"]["decision_label"] == "放行"
    # The time the device took it is the record's time, not the time of the sync.
    stored = ScreeningEvent.objects.get(pk=items[0]["id"])
    assert stored.occurred_at == dt.datetime.fromisoformat(items[0]["occurred_at"])
    assert ScreeningEvent.objects.count() == 3

    again = batch(gate_client, items, lang="en")
    data = again.json()
    assert again.status_code == 200
    assert (data["created"], data["existing"], data["refused"]) == (0, 3, 0)
    assert all(r["created"] is False and r["status"] == 200 for r in data["results"])
    assert data["results"][0]["screening"]["message"] == "Pass valid. Temperature normal."
    assert ScreeningEvent.objects.count() == 3


def test_one_bad_item_never_fails_the_others(world: World, gate_client: Client) -> None:
    good = queue_of_three(world)
    too_old = item(qr_payload(world.pass_), minutes_ago=8 * 24 * 60)  # policy.backdate_days is 7
    other_gate = item(qr_payload(world.pass_), checkpoint="dongxie-n")  # community B's gate
    bad_temperature = item(qr_payload(world.pass_), temperature="abc")
    no_id = item(qr_payload(world.pass_))
    del no_id["id"]
    no_time = item(qr_payload(world.pass_))
    del no_time["occurred_at"]
    naive = item(qr_payload(world.pass_), occurred_at="2020-03-01T08:30:00")
    not_an_object = "SW1.garbage"
    wrong_type = item(qr_payload(world.pass_), mask="maybe")
    items = [good[0], too_old, other_gate, bad_temperature, good[1], no_id, no_time, naive, not_an_object,
             wrong_type, good[2]]  # fmt: skip
    response = batch(gate_client, items)
    assert response.status_code == 200, response.content
    data = response.json()
    results = data["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    assert [r["status"] for r in results] == [201, 400, 404, 400, 201, 400, 400, 400, 400, 400, 201]
    assert (data["created"], data["existing"], data["refused"]) == (3, 0, 8)
    codes = [r["error"]["code"] if r["error"] else None for r in results]
    assert codes == [
        None,
        "occurred_at_too_old",
        "checkpoint_unknown",  # another community's gate is not even named to this user
        "temperature_unreadable",
        None,
        "batch_id_required",
        "batch_occurred_at_required",
        "occurred_at_naive",
        "batch_item_not_object",
        "invalid_input",
        None,
    ]
    # Each refusal explains itself, in the house shape, with the field at fault.
    assert "7" in results[1]["error"]["message"]
    assert results[1]["error"]["errors"][0]["field"] == "occurred_at"
    assert results[9]["error"]["errors"][0]["field"] == "mask"
    assert all(r["error"]["message"] and r["screening"] is None for r in results if r["status"] >= 400)
    # Only the good items were written; nothing of the refused ones.
    assert set(ScreeningEvent.objects.values_list("id", flat=True)) == {uuid.UUID(g["id"]) for g in good}


def test_a_uuid_sent_again_with_other_content_is_refused_alone(world: World, gate_client: Client) -> None:
    first = item(qr_payload(world.pass_))
    assert batch(gate_client, [first]).json()["created"] == 1
    changed = {**first, "temperature": "38.5"}
    fresh = item(qr_payload(world.pass_), minutes_ago=1, direction="out")
    data = batch(gate_client, [changed, fresh]).json()
    assert [r["status"] for r in data["results"]] == [409, 201]
    assert data["results"][0]["error"]["code"] == "id_reused_differently"
    assert str(ScreeningEvent.objects.get(pk=first["id"]).temperature_c) == "36.6"


def test_batch_is_limited_and_needs_items(world: World, gate_client: Client) -> None:
    response = batch(gate_client, [item(qr_payload(world.pass_))] * 501, lang="en")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items"
    assert ScreeningEvent.objects.count() == 0
    empty = batch(gate_client, [])
    assert empty.status_code == 200 and empty.json()["results"] == []


def test_the_server_decides_with_what_it_knows_now(world: World, gate_client: Client) -> None:
    """A pass revoked while the device was offline: the device admitted, the record denies."""
    revoke_pass(world.pass_, reason="moved away", actor=world.admin)
    data = batch(gate_client, [item(qr_payload(world.pass_))]).json()
    assert data["results"][0]["screening"]["decision"] == "deny"
    assert data["results"][0]["screening"]["reasons"][0] == "pass_revoked"


def test_read_only_roles_cannot_write_a_batch(world: World) -> None:
    from conftest import make_staff
    from shouwang.core.choices import Role

    make_staff("inspector", Role.INSPECTOR, world.subdistrict, [world.community_a])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('inspector')}")
    response = batch(client, [item(qr_payload(world.pass_))])
    # A bearer token passes the door (the middleware knows only sessions): the service refuses.
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["status"] == 403 and result["error"]["code"] == "read_only_role"
    assert ScreeningEvent.objects.count() == 0


def test_queries_per_item_are_bounded(world: World, gate_client: Client) -> None:
    residents = [add_resident(world, f"测试{n}", f"{100 + n:03d}") for n in range(12)]

    def queries_for(count: int) -> int:
        items = [item(qr_payload(p), minutes_ago=20 - n) for n, p in enumerate(residents[:count])]
        with CaptureQueriesContext(connection) as ctx:
            response = batch(gate_client, items)
        assert response.json()["created"] == count
        ScreeningEvent.objects.all().delete()
        return len(ctx.captured_queries)

    queries_for(1)  # warm the per-process caches (token, checkpoint)
    one = queries_for(1)
    twelve = queries_for(12)
    per_item = (twelve - one) / 11
    print(f"batch queries: 1 item {one}, 12 items {twelve}, {per_item:.1f} per item")
    assert per_item <= 8


# ---- the bundle -----------------------------------------------------------------------------


def bundle(client: Client, code: str = "lixue-e", **headers: Any) -> Any:
    return client.get(f"/api/v1/checkpoints/{code}/offline", **headers)


def test_bundle_holds_the_key_the_community_revocations_and_no_clear_ids(
    world: World, gate_client: Client
) -> None:
    other_here = add_resident(world, "李四", "013")
    revoked_here = add_resident(world, "王五", "025")
    other_community = add_resident(world, "赵六", "037", community=world.community_b)
    revoked_there = add_resident(world, "钱七", "049", community=world.community_b)
    revoke_pass(revoked_here, reason="lent to someone", actor=world.admin)
    revoke_pass(revoked_there, reason="moved away", actor=world.admin)
    start_quarantine(world, world.resident, timezone.localdate() + dt.timedelta(days=5))

    response = bundle(gate_client)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["key"]["public"] == public_key_b64()
    assert data["checkpoint"]["code"] == "lixue-e" and data["checkpoint"]["community"] == "tps"
    assert data["policy"]["fever_c"] == "37.3" and data["policy"]["backdate_days"] == 7
    # This community's live passes only; revocations of the whole sub-district.
    assert set(data["passes"]) == {world.pass_.number, other_here.number}
    assert {r["number"] for r in data["revoked"]} == {revoked_here.number, revoked_there.number}
    assert other_community.number not in json.dumps(data)
    zhang = data["passes"][world.pass_.number]
    assert zhang["person"].startswith("张*") and zhang["allowed_here"] is True
    assert zhang["quarantine_until"] == (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    assert zhang["valid_until"] == "2099-12-31"
    # No clear ID number (nor its birth-date digits), no address.
    text = response.content.decode()
    assert ZHANG_SAN_ID not in text and "19800101" not in text and "力学胡同 3 号" not in text
    assert response["ETag"] == f'"{data["version"]}"'
    # Audited as an export of the community's index.
    log = AuditLog.objects.get(action="gate_index.export")
    assert log.community_id == world.community_a.pk and log.detail["passes"] == 2


def test_bundle_etag_answers_304_until_something_changes(world: World, gate_client: Client) -> None:
    first = bundle(gate_client)
    etag = first["ETag"]
    again = bundle(gate_client, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert AuditLog.objects.filter(action="gate_index.export").count() == 1
    revoke_pass(world.pass_, reason="moved away", actor=world.admin)
    changed = bundle(gate_client, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert [r["number"] for r in changed.json()["revoked"]] == [world.pass_.number]
    assert world.pass_.number not in changed.json()["passes"]


def test_bundle_is_scoped_to_the_users_community_and_roles(world: World) -> None:
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('gate-b')}")
    assert bundle(other).status_code == 404  # community A's gate does not exist for them
    assert bundle(other, "dongxie-n").status_code == 200
    health = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('health')}")
    refused = bundle(health)
    assert refused.status_code == 403 and refused.json()["code"] == "role_forbidden"
    assert Client().get("/api/v1/checkpoints/lixue-e/offline").status_code == 401


def test_bundle_query_count_does_not_grow_with_the_community(world: World, gate_client: Client) -> None:
    bundle(gate_client)
    with CaptureQueriesContext(connection) as small:
        bundle(gate_client)
    for n in range(10):
        add_resident(world, f"测试{n}", f"{200 + n:03d}")
    with CaptureQueriesContext(connection) as large:
        data = bundle(gate_client).json()
    assert len(data["passes"]) == 11
    assert len(large.captured_queries) == len(small.captured_queries)


# ---- the service worker -----------------------------------------------------------------------


def test_service_worker_is_served_under_gate_with_its_shell(world: World, client: Client) -> None:
    response = client.get("/gate/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/gate/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert body.startswith("const SHELL = [")
    assert "/static/screening/gate-offline.js" in body and "/static/screening/gate.css" in body
    assert 'const CACHE = "gate-' in body
    # The gate page loads the offline script before gate.js, and says where the bundle is.
    client.force_login(world.gate_user)
    page = client.get("/gate/lixue-e/").content.decode()
    assert page.index("gate-offline.js") < page.index("screening/gate.js")
    assert "/api/v1/checkpoints/lixue-e/offline" in page and 'id="sync-strip"' in page
    assert "{% privacy_notice" not in page
