"""``/api/v1/incidents`` and ``/api/v1/services``: raise from a screening, escalate, close, the
photo by multipart (refusals in both languages, nothing saved), scoping by guessed ids, 409."""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from conftest import World
from shouwang.core.auth import create_token
from shouwang.core.models import AuditLog
from shouwang.incidents.models import Incident, IncidentPhoto, ServiceLog

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(username)}")


def post(c: Client, path: str, body: dict[str, Any], lang: str = "zh-CN") -> Any:
    return c.post(f"/api/v1{path}", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 10)).save(out, "JPEG")
    return out.getvalue()


def forced(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "checkpoint": "lixue-e",
        "kind": "forced_entry",
        "severity": "high",
        "people": "男，约 40 岁，黑色外套",
        "description": "无证无口罩强行闯卡",
    }
    body.update(changes)
    return body


def test_raise_escalate_close_with_words_in_both_languages(world: World, clock: Any) -> None:
    gate = client("gate")
    key = str(uuid.uuid4())
    made = post(gate, "/incidents", forced(id=key))
    assert made.status_code == 201, made.content
    i = made.json()
    assert (i["id"], i["kind_label"], i["severity_label"], i["status_label"]) == (
        key,
        "强行闯卡",
        "严重",
        "处理中",
    )
    assert (i["occurred_at"], i["local_date"], i["staff"], i["has_photo"]) == (
        "2020-03-01T10:00:00+08:00",
        "2020-03-01",
        "gate",
        False,
    )
    assert post(gate, "/incidents", forced(id=key)).status_code == 200
    clash = post(gate, "/incidents", forced(id=key, kind="abuse"))
    assert (clash.status_code, clash.json()["code"]) == (409, "client_id_reused")
    clock.shift(dt.timedelta(minutes=2))
    up = post(gate, f"/incidents/{key}/escalate", {"to": "police_station", "note": "已报警"}, lang="en")
    assert up.status_code == 201
    assert up.json()["escalations"] == [
        {
            "to": "police_station",
            "to_label": "police station",
            "at": "2020-03-01T10:02:00+08:00",
            "note": "已报警",
        }
    ]
    assert post(gate, f"/incidents/{key}/escalate", {"to": "police_station"}).status_code == 200
    short = post(client("worker"), f"/incidents/{key}/close", {"outcome": "好"}, lang="en")
    assert (short.status_code, short.json()["code"]) == (400, "incident_outcome_required")
    assert "at least two characters" in short.json()["message"]
    done = post(client("worker"), f"/incidents/{key}/close", {"outcome": "派出所民警到场带离"})
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert [r["id"] for r in client("worker").get("/api/v1/incidents", {"status": "closed"}).json()] == [key]


def test_one_tap_from_a_screening(world: World) -> None:
    gate = client("gate")
    screening = post(
        gate,
        "/screenings",
        {
            "checkpoint": "lixue-e",
            "direction": "in",
            "qr": "https://example.com/x",
            "temperature": "36.6",
            "mask": False,
        },
    ).json()
    prefill = gate.get("/api/v1/incidents/prefill", {"screening": screening["id"]}).json()
    assert (prefill["kind"], prefill["checkpoint"]) == ("no_mask", "lixue-e")
    made = post(
        gate, "/incidents", {"screening": screening["id"], "kind": prefill["kind"], "severity": "low"}
    )
    assert made.status_code == 201, made.content
    assert (made.json()["checkpoint"], made.json()["screening"]) == ("lixue-e", screening["id"])
    other = client("gate-b")
    assert other.get("/api/v1/incidents/prefill", {"screening": screening["id"]}).status_code == 404
    guessed = post(other, "/incidents", {"screening": screening["id"], "kind": "no_mask"})
    assert (guessed.status_code, guessed.json()["code"]) == (404, "incident_screening_unknown")


def test_bad_incident_input_is_400_and_saves_nothing(world: World) -> None:
    gate = client("gate")
    for body, code, field in (
        (forced(kind="loud"), "incident_kind_invalid", "kind"),
        (forced(people=""), "incident_people_required", "people"),
        (forced(checkpoint=None), "required", "checkpoint"),
        (forced(occurred_at="2020-03-01T09:00:00"), "occurred_at_naive", "occurred_at"),
    ):
        for lang in ("zh-CN", "en"):
            response = post(gate, "/incidents", body, lang=lang)
            assert response.status_code == 400, response.content
            assert (response.json()["code"], response.json()["errors"][0]["field"]) == (code, field)
    assert not Incident.objects.exists()


def test_another_communitys_incident_is_404_like_a_missing_one(world: World) -> None:
    key = post(client("gate"), "/incidents", forced()).json()["id"]
    other = client("gate-b")
    for path in (
        f"/api/v1/incidents/{key}",
        f"/api/v1/incidents/{uuid.uuid4()}",
        "/api/v1/incidents/123",
        f"/api/v1/incidents/{key}/photo",
    ):
        response = other.get(path)
        assert (response.status_code, response.json()["code"]) == (404, "incident_unknown"), path
    assert post(other, f"/incidents/{key}/escalate", {"to": "community"}).status_code == 404
    assert post(other, f"/incidents/{key}/close", {"outcome": "已处理"}).status_code == 404
    upload = other.post(f"/api/v1/incidents/{key}/photo", {"photo": SimpleUploadedFile("a.jpg", jpeg())})
    assert upload.status_code == 404
    assert other.get("/api/v1/incidents").json() == []
    assert not IncidentPhoto.objects.exists()


def test_photo_upload_and_private_read(world: World) -> None:
    gate = client("gate")
    key = post(gate, "/incidents", forced()).json()["id"]
    response = gate.post(
        f"/api/v1/incidents/{key}/photo", {"photo": SimpleUploadedFile("x.jpg", jpeg(), "image/jpeg")}
    )
    assert response.status_code == 201, response.content
    assert response.json()["has_photo"] is True
    read = client("worker").get(f"/api/v1/incidents/{key}/photo")
    assert read.status_code == 200 and read["Content-Type"] == "image/jpeg"
    assert read["Cache-Control"] == "private, no-store" and read["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(read.content)).size == (80, 60)
    assert AuditLog.objects.filter(action="incident.photo_view").count() == 1
    assert client("worker").get("/api/v1/incidents", {"date": "2020-03-01"}).json()[0]["has_photo"] is True


@pytest.mark.parametrize(
    ("name", "data", "code", "en"),
    [
        ("big.jpg", os.urandom(6 * 1024 * 1024), "photo_too_big", "limit is 5 MB"),
        ("fake.jpg", b"GIF89a" + b"\x00" * 100, "photo_type", "Only JPEG, PNG or WebP"),
        ("cut.jpg", jpeg()[:200], "photo_unreadable", "damaged"),
    ],
)
def test_bad_photo_uploads_are_400_and_save_nothing(
    world: World, name: str, data: bytes, code: str, en: str
) -> None:
    gate = client("gate")
    key = post(gate, "/incidents", forced()).json()["id"]
    for lang in ("zh-CN", "en"):
        response = gate.post(
            f"/api/v1/incidents/{key}/photo",
            {"photo": SimpleUploadedFile(name, data, "image/jpeg")},
            HTTP_ACCEPT_LANGUAGE=lang,
        )
        assert response.status_code == 400, response.content
        assert (response.json()["code"], response.json()["errors"][0]["field"]) == (code, "photo")
        if lang == "en":
            assert en in response.json()["message"]
    missing = gate.post(f"/api/v1/incidents/{key}/photo", {})
    assert missing.json()["code"] == "photo_empty"
    assert not IncidentPhoto.objects.exists()
    assert gate.get(f"/api/v1/incidents/{key}/photo").json()["code"] == "photo_missing"


def test_help_given_by_api(world: World) -> None:
    gate = client("gate")
    key = str(uuid.uuid4())
    body = {
        "id": key,
        "checkpoint": "xiaojiangfang-w",
        "kind": "errand",
        "person": "老人，非本社区",
        "note": "先看理发店开门没有",
    }
    made = post(gate, "/services", body)
    assert made.status_code == 201, made.content
    s = made.json()
    assert (s["kind_label"], s["checkpoint"], s["staff"], s["local_date"]) == (
        "代办跑腿",
        "xiaojiangfang-w",
        "gate",
        "2020-03-01",
    )
    assert post(gate, "/services", body).status_code == 200
    assert post(gate, "/services", {**body, "note": "别的"}).status_code == 409
    for_resident = post(
        gate, "/services", {"checkpoint": "lixue-e", "kind": "goods", "resident": world.resident.pk}
    )
    assert for_resident.json()["resident"] == {"id": world.resident.pk, "name": "张*"}
    nobody = post(gate, "/services", {"checkpoint": "lixue-e", "kind": "goods"}, lang="en")
    assert (
        nobody.json()["code"] == "service_for_whom_required" and "whom it was for" in nobody.json()["message"]
    )
    guessed = post(
        client("gate-b"),
        "/services",
        {"checkpoint": "dongxie-n", "kind": "goods", "resident": world.resident.pk},
    )
    assert (guessed.status_code, guessed.json()["code"]) == (404, "resident_unknown")
    assert ServiceLog.objects.count() == 2
    assert len(gate.get("/api/v1/services", {"date": "2020-03-01"}).json()) == 2
    assert client("gate-b").get("/api/v1/services").json() == []


def test_incident_list_query_count(world: World, django_assert_max_num_queries: Any) -> None:
    gate = client("gate")
    for n in range(4):
        key = post(gate, "/incidents", forced(description=f"第 {n} 起")).json()["id"]
        post(gate, f"/incidents/{key}/escalate", {"to": "community"})
    gate.get("/api/v1/incidents")
    with django_assert_max_num_queries(4):
        rows = gate.get("/api/v1/incidents").json()
    assert len(rows) == 4 and all(len(r["escalations"]) == 1 for r in rows)


def test_openapi_lists_the_endpoints_with_summaries(db: Any) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/incidents", "post"),
        ("/api/v1/incidents", "get"),
        ("/api/v1/incidents/prefill", "get"),
        ("/api/v1/incidents/{incident_id}/escalate", "post"),
        ("/api/v1/incidents/{incident_id}/close", "post"),
        ("/api/v1/incidents/{incident_id}/photo", "post"),
        ("/api/v1/services", "post"),
        ("/api/v1/services", "get"),
    ):
        assert paths[path][method]["summary"], path
    upload = paths["/api/v1/incidents/{incident_id}/photo"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
