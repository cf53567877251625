"""``/api/v1``: screenings, checkpoints, passes, the OpenAPI document, errors and auth."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import World, start_quarantine
from shouwang.passes.services import qr_payload
from shouwang.screening.models import ScreeningEvent


def token_for(username: str) -> str:
    out = StringIO()
    call_command("token", "create", username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def gate_client(world: World) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for('gate')}")


def post(client: Client, body: dict[str, Any], lang: str = "zh-CN") -> Any:
    return client.post("/api/v1/screenings", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)


def test_screening_created_then_repeated(world: World, gate_client: Client) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "checkpoint": "lixue-e",
        "direction": "in",
        "qr": qr_payload(world.pass_),
        "temperature": "366",
        "mask": True,
    }
    first = post(gate_client, body)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["decision"] == "admit"
    assert data["decision_label"] == "放行"
    assert data["temperature_c"] == 36.6
    assert data["person"].startswith("张*")
    assert data["reasons"] == ["pass_valid", "temperature_normal"]
    again = post(gate_client, body, lang="en")
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    assert again.json()["message"] == "Pass valid. Temperature normal."
    assert ScreeningEvent.objects.count() == 1


def test_fahrenheit_number_and_english_words(world: World, gate_client: Client) -> None:
    response = post(
        gate_client,
        {
            "checkpoint": "lixue-e",
            "direction": "in",
            "pass_number": world.pass_.number,
            "temperature": 98.6,
            "mask": True,
        },
        lang="en-US,en;q=0.9",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["temperature_c"] == 37.0
    assert data["temperature_converted_f"] is True
    assert "Converted from °F." in data["message"]


def test_bad_input_is_400_with_field_errors(world: World, gate_client: Client) -> None:
    cases = [
        ({"checkpoint": "lixue-e", "direction": "in", "temperature": "36.6"}, "qr"),
        ({"checkpoint": "lixue-e", "direction": "up", "pass_number": "TPS-000001"}, "direction"),
        (
            {"checkpoint": "lixue-e", "direction": "in", "pass_number": "TPS-000001", "temperature": "hot"},
            "temperature",
        ),
        ({"checkpoint": "lixue-e", "direction": "in", "id_number": "110102198001010018"}, "id_number"),
        ({"checkpoint": "lixue-e", "direction": "in", "pass_number": "x", "id": "not-a-uuid"}, "id"),
        (
            {"checkpoint": "lixue-e", "direction": "in", "pass_number": "x", "occurred_at": "yesterday"},
            "occurred_at",
        ),
        ({"direction": "in", "pass_number": "x"}, "checkpoint"),
    ]
    for body, field in cases:
        response = post(gate_client, body, lang="en")
        assert response.status_code == 400, (body, response.content)
        data = response.json()
        assert data["errors"], data
        assert data["errors"][0]["field"] == field, data
        assert data["errors"][0]["message"], data
    assert ScreeningEvent.objects.count() == 0


def test_unknown_and_foreign_checkpoints_are_404(world: World, gate_client: Client) -> None:
    for code in ("nowhere", "dongxie-n"):
        response = post(gate_client, {"checkpoint": code, "direction": "in", "pass_number": "x"})
        assert response.status_code == 404
        assert response.json()["code"] == "checkpoint_unknown"


def test_auth_is_required(world: World) -> None:
    response = Client().get("/api/v1/checkpoints", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert "Bearer" in response.json()["message"]
    bad = Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/v1/checkpoints")
    assert bad.status_code == 401


def test_checkpoints_are_scoped(world: World, gate_client: Client) -> None:
    codes = {c["code"] for c in gate_client.get("/api/v1/checkpoints").json()}
    assert codes == {"lixue-e", "xiaojiangfang-w"}
    admin = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('admin')}")
    assert {c["code"] for c in admin.get("/api/v1/checkpoints").json()} == {
        "lixue-e",
        "xiaojiangfang-w",
        "dongxie-n",
    }


def test_passes_only_for_admins_and_workers(world: World, gate_client: Client) -> None:
    assert gate_client.get("/api/v1/passes").status_code == 403
    worker = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('worker')}")
    rows = worker.get("/api/v1/passes?community=tps&status=valid&limit=10").json()
    assert rows == [
        {
            "number": world.pass_.number,
            "holder": "张*",
            "holder_id": "110***********0017",
            "type": "居民出入证",
            "status": "valid",
            "valid_from": "2020-01-01",
            "valid_until": "2099-12-31",
            "community": "tps",
        }
    ]
    assert worker.get("/api/v1/passes?community=xdb").status_code == 403
    assert worker.get("/api/v1/passes?status=expired").json() == []
    assert worker.get("/api/v1/passes?status=bogus").status_code == 400


def test_gate_today_counts_by_decision_and_hour(world: World, gate_client: Client) -> None:
    post(
        gate_client,
        {
            "checkpoint": "lixue-e",
            "direction": "in",
            "pass_number": world.pass_.number,
            "temperature": "36.5",
            "mask": True,
        },
    )
    post(
        gate_client,
        {"checkpoint": "lixue-e", "direction": "in", "qr": "hello", "temperature": "36.5", "mask": True},
    )
    data = gate_client.get("/api/v1/checkpoints/lixue-e/today").json()
    assert data["total"] == 2
    assert data["by_decision"]["admit"] == 1
    assert data["by_decision"]["register"] == 1
    assert sum(h["count"] for h in data["by_hour"]) == 2
    assert len(data["by_hour"]) == 24


@time_machine.travel(dt.datetime(2020, 3, 1, 9, 0, tzinfo=dt.UTC), tick=True)
def test_occurred_at_with_offset(world: World, gate_client: Client) -> None:
    response = post(
        gate_client,
        {
            "checkpoint": "lixue-e",
            "direction": "in",
            "pass_number": world.pass_.number,
            "temperature": "36.5",
            "mask": True,
            "occurred_at": "2020-03-01T00:30:00+08:00",
        },
    )
    assert response.status_code == 201
    assert response.json()["local_date"] == "2020-03-01"
    assert ScreeningEvent.objects.get().occurred_at == dt.datetime(2020, 2, 29, 16, 30, tzinfo=dt.UTC)


def test_openapi_document(db: Any) -> None:
    doc = Client().get("/api/openapi.json").json()
    assert "/api/v1/screenings" in doc["paths"]
    assert "/api/v1/checkpoints/{code}/today" in doc["paths"]


def test_rare_and_uyghur_names_come_back_whole(world: World, gate_client: Client) -> None:
    from shouwang.passes.services import issue_pass
    from shouwang.people.services import ResidentIn, upsert_resident

    for name, number in (("李䶮", "110102199001010011"), ("买买提·艾力", "650102198505050018")):
        resident, _ = upsert_resident(
            world.community_a, ResidentIn(name=name, id_number=number), actor=world.admin
        )
        assert type(resident).objects.get(pk=resident.pk).name == name
        p = issue_pass(
            resident,
            pass_type=world.pass_type_a,
            valid_from=dt.date(2020, 1, 1),
            valid_until=dt.date(2099, 1, 1),
            actor=world.admin,
        )
        data = post(
            gate_client,
            {
                "checkpoint": "lixue-e",
                "direction": "in",
                "qr": qr_payload(p),
                "temperature": "36.4",
                "mask": True,
            },
        ).json()
        # Masked, but whole characters: the surname, then one star per remaining character.
        assert data["person"].split()[0] == name[0] + "*" * (len(name) - 1)


def test_malformed_bodies_get_our_error_shape(world: World, gate_client: Client) -> None:
    broken = gate_client.post(
        "/api/v1/screenings", "{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert broken.status_code == 400
    assert broken.json()["code"] == "body_unreadable"
    as_bool = post(
        gate_client,
        {"checkpoint": "lixue-e", "direction": "in", "pass_number": world.pass_.number, "temperature": True},
        lang="en",
    )
    assert as_bool.status_code == 400
    assert as_bool.json()["errors"][0]["field"] == "temperature"
    missing = post(gate_client, {"checkpoint": "lixue-e"})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["message"] == "direction：必须填写"
    assert ScreeningEvent.objects.count() == 0


def test_checkpoint_codes_are_not_case_sensitive(world: World, gate_client: Client) -> None:
    response = post(
        gate_client,
        {
            "checkpoint": "LIXUE-E",
            "direction": "in",
            "pass_number": world.pass_.number,
            "temperature": "366",
            "mask": True,
        },
    )
    assert response.status_code == 201


def test_alerts_reach_the_community_worker(world: World, gate_client: Client) -> None:
    start_quarantine(world, world.resident, timezone.localdate() + dt.timedelta(days=3))
    post(gate_client, {"checkpoint": "lixue-e", "direction": "out", "pass_number": world.pass_.number})
    worker = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('worker')}")
    rows = worker.get("/api/v1/alerts").json()
    assert [(r["kind"], r["checkpoint"], r["person"][:2]) for r in rows] == [
        ("quarantine_breach", "lixue-e", "张*")
    ]
    assert gate_client.get("/api/v1/alerts").status_code == 403
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('admin')}")
    assert len(other.get("/api/v1/alerts").json()) == 1


def test_lookup_and_name_search_record_nothing(world: World, gate_client: Client) -> None:
    card = gate_client.get(f"/api/v1/checkpoints/lixue-e/lookup?pass_number={world.pass_.number}").json()
    assert card["person"].startswith("张*")
    assert card["where"] == "力学胡同 3 号"
    assert card["pass"]["status"] == "valid"
    assert card["in_quarantine"] is False
    hits = gate_client.get("/api/v1/checkpoints/lixue-e/people?q=zs").json()
    assert [(h["kind"], h["id"], h["masked_name"]) for h in hits] == [("resident", world.resident.pk, "张*")]
    assert gate_client.get("/api/v1/checkpoints/lixue-e/people?q=张").json()[0]["id"] == world.resident.pk
    typo = gate_client.get("/api/v1/checkpoints/lixue-e/lookup?pass_number=TPS9", HTTP_ACCEPT_LANGUAGE="en")
    assert typo.status_code == 400
    assert typo.json()["code"] == "pass_number_unknown"
    assert ScreeningEvent.objects.count() == 0


def test_lookup_of_another_apps_qr_says_so_before_the_reading(world: World, gate_client: Client) -> None:
    card = gate_client.get(
        "/api/v1/checkpoints/lixue-e/lookup?qr=https://example.com/x", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert card["identity"] == "not_a_pass"
    assert card["note"] == "This QR code is not one of our passes."


def test_lookup_of_another_communitys_person_shows_no_address_or_quarantine(world: World) -> None:
    from shouwang.passes.services import issue_pass
    from shouwang.people.services import ResidentIn, upsert_resident

    other, _ = upsert_resident(
        world.community_b,
        ResidentIn(name="王五", id_number="110102198502020010", address="东斜街 9 号"),
        actor=world.admin,
    )
    start_quarantine(world, other, timezone.localdate() + dt.timedelta(days=3))
    p = issue_pass(
        other,
        pass_type=world.pass_type_b,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2099, 1, 1),
        actor=world.admin,
    )
    worker = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('worker')}")
    for query in (f"pass_number={p.number}", "id_number=110102198502020010"):
        card = worker.get(f"/api/v1/checkpoints/lixue-e/lookup?{query}").json()
        assert card["where"] == "" and card["in_quarantine"] is False and card["quarantine_until"] is None
        assert card["resident"] is None
        assert card["pass"]["community"] == "西单北社区" and card["pass"]["picture"] is None
