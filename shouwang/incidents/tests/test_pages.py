"""The incidents pages through Django's test client: who may open what (by role and community),
escalating with the time, closing with the outcome (by whom), the photo only through the audited
read, attaching a photo (a bad one refused on the field, nothing saved), and help given.

Fixed time: 2020-03-01 10:00 in Beijing.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from conftest import World, make_staff
from shouwang.core.choices import Role
from shouwang.core.models import AuditLog
from shouwang.incidents.models import Escalation, Incident, IncidentPhoto
from shouwang.incidents.services import attach_photo, close_incident, log_service, raise_incident

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: Any, lang: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def incident(world: World) -> Incident:
    """A forced entry at 力学胡同东口 at 09:40, recorded by the gate worker."""
    return raise_incident(
        world.gate_a,
        kind="forced_entry",
        actor=world.gate_user,
        severity="high",
        people="男，约 40 岁，黑色外套",
        description="无证无口罩，欲强行进入",
        occurred_at=NOW - dt.timedelta(minutes=20),
    ).incident


@pytest.fixture
def worker_b(world: World) -> Any:
    return make_staff("worker-b", Role.COMMUNITY_WORKER, world.subdistrict, [world.community_b])


def url(incident: Incident, tail: str = "") -> str:
    return f"/incidents/{incident.pk}/{tail}"


# ---- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/incidents/", "/incidents/services/", f"/incidents/{uuid.uuid4()}/"])
def test_anonymous_is_sent_to_log_in(world: World, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["gate", "worker", "admin", "health"])
def test_every_role_of_the_community_reads_incidents_and_help(
    world: World, incident: Incident, who: str
) -> None:
    user = {"gate": world.gate_user, "worker": world.worker, "admin": world.admin, "health": world.health}[
        who
    ]
    client = client_for(user)
    assert "强行闯卡" in client.get("/incidents/").content.decode()
    assert client.get(url(incident)).status_code == 200
    assert client.get("/incidents/services/").status_code == 200


def test_another_communitys_staff_get_404_like_a_missing_incident(
    world: World, incident: Incident, worker_b: Any
) -> None:
    attach_photo(incident, data=png(), actor=world.gate_user)
    for user in (world.other_gate_user, worker_b):
        client = client_for(user)
        for path in (url(incident), url(incident, "photo")):
            assert client.get(path).status_code == 404
        assert client.get(f"/incidents/{uuid.uuid4()}/").status_code == 404
        assert client.get("/incidents/not-an-id/").status_code == 404
        assert client.post(url(incident), {"action": "close", "close-outcome": "已处理"}).status_code == 404
        assert "强行闯卡" not in client.get("/incidents/?status=all").content.decode()
        # Nor can another community's gate be named to list its incidents.
        assert client.get("/incidents/?checkpoint=lixue-e").status_code == 404
        assert client.get("/incidents/services/?checkpoint=lixue-e").status_code == 404
    incident.refresh_from_db()
    assert incident.status == "open"
    assert not AuditLog.objects.filter(action="incident.photo_view").exists()


def test_list_by_status_date_and_gate(
    world: World, incident: Incident, django_assert_max_num_queries: Any
) -> None:
    other = raise_incident(world.gate_a2, kind="abuse", actor=world.gate_user, people="骑车男子").incident
    close_incident(other, outcome="已劝离", actor=world.worker)
    client = client_for(world.worker)
    with django_assert_max_num_queries(8):  # session, user, staff, communities, gates, incidents, escalations
        page = client.get("/incidents/").content.decode()
    assert "强行闯卡" in page and "辱骂威胁" not in page
    closed = client.get("/incidents/?status=closed").content.decode()
    assert "辱骂威胁" in closed and "已劝离" in closed and "强行闯卡" not in closed
    assert "辱骂威胁" in client.get("/incidents/?status=all&checkpoint=xiaojiangfang-w").content.decode()
    assert "强行闯卡" not in client.get("/incidents/?status=all&date=2020-02-29").content.decode()
    assert "不是日期" in client.get("/incidents/?date=yesterday").content.decode()


# ---- escalate and close -----------------------------------------------------------------------


def test_gate_staff_escalate_with_the_time(world: World, incident: Incident) -> None:
    client = client_for(world.gate_user)
    page = client.get(url(incident)).content.decode()
    assert 'value="2020-03-01T10:00"' in page  # now, local, by default
    response = client.post(
        url(incident),
        {
            "action": "escalate",
            "escalate-to": "police_station",
            "escalate-at": "2020-03-01T09:45",
            "escalate-note": "110",
        },
    )
    assert response.status_code == 302 and response["Location"] == url(incident)
    escalation = Escalation.objects.get()
    assert (escalation.target, escalation.at, escalation.note) == (
        "police_station",
        dt.datetime(2020, 3, 1, 9, 45, tzinfo=SHANGHAI),
        "110",
    )
    page = client.get(url(incident)).content.decode()
    assert "已上报派出所" in page and "2020-03-01 09:45" in page


def test_an_escalation_before_the_incident_is_refused_on_the_field(world: World, incident: Incident) -> None:
    response = client_for(world.gate_user).post(
        url(incident),
        {"action": "escalate", "escalate-to": "police_station", "escalate-at": "2020-03-01T09:00"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "上报时间早于事件发生时间" in page
    assert '<details class="change" id="escalate" open>' in page
    assert not Escalation.objects.exists()


def test_who_may_close(world: World, incident: Incident) -> None:
    data = {"action": "close", "close-outcome": "派出所已带走"}
    # The health station reads but neither escalates nor closes.
    health = client_for(world.health)
    page = health.get(url(incident)).content.decode()
    assert 'id="close"' not in page and 'id="escalate"' not in page
    assert health.post(url(incident), data).status_code == 403
    # Another gate worker of the community may escalate, not close someone else's incident.
    colleague = make_staff("gate-2", Role.GATE_STAFF, world.subdistrict, [world.community_a])
    assert client_for(colleague).post(url(incident), data).status_code == 403
    # Whoever recorded it may; an outcome of one character is refused on the field.
    own = client_for(world.gate_user)
    assert (
        "至少两个字" in own.post(url(incident), {"action": "close", "close-outcome": "好"}).content.decode()
    )
    assert own.post(url(incident), data).status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.outcome, incident.closed_by) == (
        "closed",
        "派出所已带走",
        world.gate_user,
    )
    page = own.get(url(incident)).content.decode()
    assert "已结案" in page and 'id="close"' not in page and 'id="escalate"' not in page
    # Closed is final: a late post says so.
    response = client_for(world.worker).post(
        url(incident), {"action": "escalate", "escalate-to": "community"}, follow=True
    )
    assert "此事件已结案" in response.content.decode() and not Escalation.objects.exists()


def test_unknown_action_is_404(world: World, incident: Incident) -> None:
    assert client_for(world.worker).post(url(incident), {"action": "delete"}).status_code == 404


# ---- the photo --------------------------------------------------------------------------------


def test_the_photo_is_read_only_through_the_audited_view(world: World, incident: Incident) -> None:
    client = client_for(world.worker)
    assert client.get(url(incident, "photo")).status_code == 404  # none yet
    attach_photo(incident, data=png(), actor=world.gate_user)
    page = client.get(url(incident)).content.decode()
    # The page itself reads no photo: it is loaded only when asked for.
    assert (
        f'data-src="/incidents/{incident.pk}/photo"' in page
        and " src=" not in page.split('id="incident-photo"')[1][:60]
    )
    assert not AuditLog.objects.filter(action="incident.photo_view").exists()
    response = client.get(url(incident, "photo"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert (
        response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    )
    [read] = AuditLog.objects.filter(action="incident.photo_view")
    assert read.actor == world.worker


def test_attach_a_photo_on_the_page_and_a_bad_one_is_refused(world: World, incident: Incident) -> None:
    client = client_for(world.gate_user)
    bad = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(url(incident), {"action": "photo", "photo-photo": bad})
    page = response.content.decode()
    assert response.status_code == 200 and "只能上传 JPEG、PNG 或 WebP 格式的照片" in page
    assert not IncidentPhoto.objects.exists()
    good = SimpleUploadedFile("photo.png", png(), content_type="image/png")
    assert client.post(url(incident), {"action": "photo", "photo-photo": good}).status_code == 302
    assert IncidentPhoto.objects.get().incident_id == incident.pk


def test_bad_photo_in_english(world: World, incident: Incident) -> None:
    bad = SimpleUploadedFile("photo.jpg", b"", content_type="image/jpeg")
    page = client_for(world.gate_user, "en").post(url(incident), {"action": "photo", "photo-photo": bad})
    assert "empty" in page.content.decode().lower()
    assert not IncidentPhoto.objects.exists()


# ---- help given -------------------------------------------------------------------------------


def test_help_given_of_the_day(world: World) -> None:
    log_service(world.gate_a, kind="errand", actor=world.gate_user, resident=world.resident.pk, note="取药")
    log_service(world.gate_b, kind="escort", actor=world.other_gate_user, person="老人，非本社区")
    page = client_for(world.worker).get("/incidents/services/").content.decode()
    assert "代办跑腿" in page and "张*" in page and "取药" in page and "2020-03-01" in page
    assert "老人，非本社区" not in page  # another community's
    assert (
        "没有便民服务记录"
        in client_for(world.worker).get("/incidents/services/?date=2020-02-29").content.decode()
    )
    english = client_for(world.other_gate_user, "en").get("/incidents/services/").content.decode()
    assert "escort" in english and "取药" not in english


# ---- one language per page --------------------------------------------------------------------


def test_every_page_speaks_chinese_by_default_and_english_when_asked(
    world: World, incident: Incident
) -> None:
    from shouwang.core.tests.test_i18n import (
        assert_all_chinese,
        assert_all_english,
        place_names,
        visible_text,
    )

    attach_photo(incident, data=png(), actor=world.gate_user)
    log_service(world.gate_a, kind="errand", actor=world.gate_user, resident=world.resident.pk, note="取药")
    data = [
        *place_names(world),
        *("男，约 40 岁，黑色外套", "无证无口罩，欲强行进入", "张*", "取药", "gate", "worker"),
    ]
    for url_ in ("/incidents/", "/incidents/?status=all", url(incident), "/incidents/services/"):
        assert_all_chinese(visible_text(client_for(world.worker).get(url_).content.decode()), *data)
        en = client_for(world.worker, "en").get(url_).content.decode()
        assert '<html lang="en">' in en, url_
        assert_all_english(visible_text(en), *data)
