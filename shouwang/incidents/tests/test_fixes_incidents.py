"""Fixes of the incidents after the tester's report: an escalation in the incident's own minute,
a closed incident's photo, the field ``at`` named in words, the service's words when closing
with no outcome, and lists of another community answered 403.

Fixed time: 2020-03-01 10:05:37 in Beijing (seconds on purpose: the page's times have none).
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from shouwang.core.auth import create_token
from shouwang.core.errors import InvalidInput
from shouwang.core.models import AuditLog
from shouwang.incidents.models import Escalation, Incident, IncidentPhoto
from shouwang.incidents.services import (
    attach_photo,
    close_incident,
    escalate_incident,
    raise_incident,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 5, 37, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def page_client(user: Any, lang: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def api(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(username)}")


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def incident(world: Any) -> Incident:
    """A man without a pass or mask forcing his way in, recorded just now (10:05:37)."""
    recorded: Incident = raise_incident(
        world.gate_a, kind="forced_entry", actor=world.gate_user, people="男，约 40 岁，黑色外套"
    ).incident
    return recorded


# ---- 7. an escalation in the incident's own minute ------------------------------------------


def test_escalating_right_away_with_the_pages_default_time_is_accepted(
    world: Any, incident: Incident
) -> None:
    client = page_client(world.gate_user)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'value="2020-03-01T10:05"' in page  # the default: now, to the minute
    response = client.post(
        f"/incidents/{incident.pk}/",
        {"action": "escalate", "escalate-to": "police_station", "escalate-at": "2020-03-01T10:05"},
    )
    assert response.status_code == 302, response.content.decode()
    escalation = Escalation.objects.get()
    # Stored no earlier than the incident: the list of what happened stays in order.
    assert escalation.at == incident.occurred_at == NOW


def test_an_escalation_a_minute_before_the_incident_is_still_refused(world: Any, incident: Incident) -> None:
    with pytest.raises(InvalidInput) as caught:
        escalate_incident(
            incident,
            to="police_station",
            actor=world.gate_user,
            at=dt.datetime(2020, 3, 1, 10, 4, tzinfo=SHANGHAI),
        )
    assert caught.value.code == "escalation_before_incident"
    assert "2020-03-01 10:05" in caught.value.message()
    assert not Escalation.objects.exists()


# ---- 8. a closed incident's photo -----------------------------------------------------------


def test_a_closed_incidents_photo_cannot_be_replaced(world: Any, incident: Incident) -> None:
    first = attach_photo(incident, data=png((200, 30, 30)), actor=world.gate_user)
    close_incident(incident, outcome="已劝离", actor=world.worker)
    incident.refresh_from_db()
    with pytest.raises(InvalidInput) as caught:
        attach_photo(incident, data=png((30, 200, 30)), actor=world.gate_user)
    assert (caught.value.code, caught.value.field) == ("incident_closed", "incident")
    assert IncidentPhoto.objects.get().sha256 == first.sha256
    response = api("gate").post(
        f"/api/v1/incidents/{incident.pk}/photo",
        {"photo": SimpleUploadedFile("new.png", png((30, 30, 200)), "image/png")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (response.status_code, response.json()["code"]) == (400, "incident_closed")
    assert "closed" in response.json()["message"]
    assert IncidentPhoto.objects.get().sha256 == first.sha256
    assert AuditLog.objects.filter(action="incident.photo").count() == 1


# ---- 15. words that name the right field ----------------------------------------------------


def test_an_escalation_eight_days_ago_names_the_field_at(world: Any, clock: Any) -> None:
    with time_machine.travel(NOW - dt.timedelta(days=8), tick=False):
        old: Incident = raise_incident(
            world.gate_a, kind="abuse", actor=world.gate_user, people="女，约 30 岁"
        ).incident
    with pytest.raises(InvalidInput) as caught:
        escalate_incident(old, to="community", actor=world.gate_user, at=NOW - dt.timedelta(days=8))
    assert (caught.value.code, caught.value.field) == ("at_too_old", "at")
    assert caught.value.message().startswith("时间（at）早于 7 天前")
    assert caught.value.message("en").startswith("at is more than 7 days ago")
    assert "occurred_at" not in caught.value.message() + caught.value.message("en")


def test_closing_on_the_page_without_an_outcome_shows_the_services_words(
    world: Any, incident: Incident
) -> None:
    response = page_client(world.gate_user).post(
        f"/incidents/{incident.pk}/", {"action": "close", "close-outcome": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "请写明处理结果（至少两个字）" in page and "这个字段是必填项" not in page
    assert '<details class="change" id="close" open>' in page
    english = page_client(world.gate_user, "en").post(
        f"/incidents/{incident.pk}/", {"action": "close", "close-outcome": "  "}
    )
    assert "Write the outcome" in english.content.decode()
    incident.refresh_from_db()
    assert incident.status == "open"


# ---- 16. lists of another community -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/services", "/incidents"])
def test_lists_of_another_community_are_403_with_words(world: Any, path: str) -> None:
    gate = api("gate")
    for lang, words in (("zh-CN", "西单北社区"), ("en", "not assigned")):
        response = gate.get(f"/api/v1{path}", {"community": "xdb"}, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "not_your_community" and words in response.json()["message"]
    unknown = gate.get(f"/api/v1{path}", {"community": "nowhere"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "community_unknown")
    assert gate.get(f"/api/v1{path}", {"community": "TPS"}).status_code == 200
