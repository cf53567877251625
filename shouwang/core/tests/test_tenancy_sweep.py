"""A user of community A cannot read or change anything of community B by any URL or id.

Walks EVERY URL pattern of ``shouwang.urls`` and every operation of ``/api/openapi.json``, GET
and POST, filling each path parameter with the real id of one of B's records (made through the
services) and with guessed ids, as A's community worker and as A's gate staff. An answer may be
a refusal (400/403/404/405) or A's own page, never a server error and never one that carries
B's data (names, phones clear or masked, words typed in B). B's records are unchanged after.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import World
from shouwang.core.tests.test_access_fixtures import BWorld, api_client, client_for, leaks
from shouwang.incidents.models import Escalation, Incident
from shouwang.quarantine.models import FollowUp, QuarantinePlan
from shouwang.visitors.models import Invitation, Visit

GUESSES = ("1", "2", "999999", str(uuid.UUID(int=7)), "../etc")


def patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, Any]]:
    """Every page route as ``(route with <converters>, pattern)``, the admin and API left out
    (the API is swept from its OpenAPI document; the admin is for superusers only)."""
    out: list[tuple[str, Any]] = []
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if route.startswith(("admin/", "api/", "i18n/", "static/")):
            continue
        if isinstance(p, URLResolver):
            out.extend(patterns(p, route))
        elif isinstance(p, URLPattern):
            out.append((route, p))
    return out


def b_values(world: World, b: BWorld) -> dict[str, list[str]]:
    """Values for each path parameter name: B's real ids first, then guesses."""
    return {
        "plan_id": [str(b.plan.pk)],
        "incident_id": [str(b.incident.pk)],
        "invitation_id": [str(b.invitation.pk)],
        "visit_id": [str(b.visit.pk)],
        "code": [world.gate_b.code],
        "pk": [str(world.pass_type_b.pk)],
        "roster_id": ["999999"],
        "shift_id": ["999999"],
        "swap_id": ["999999"],
        "alert_id": ["999999"],
        "token": ["eyJjIjoyfQ:forged:sig"],
        "fmt": ["xlsx", "csv"],
        "scope": [world.community_b.code],
        "day": ["2020-03-01"],
        "resident_id": [str(b.resident.pk)],
        "report_id": ["999999"],
    }


def fill(route: str, values: dict[str, list[str]]) -> list[str]:
    """Concrete paths for ``route``: one per real-B value, one per guess."""
    import re

    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not names:
        return ["/" + route]
    paths = []
    for choice in range(3 + len(GUESSES)):
        path = route
        for name in names:
            pool = values.get(name, []) + list(GUESSES)
            path = re.sub(r"<(?:\w+:)?" + name + ">", pool[min(choice, len(pool) - 1)], path, count=1)
        paths.append("/" + path)
    return sorted(set(paths))


def names_b(path: str, values: dict[str, list[str]]) -> bool:
    """Whether a path segment is the real id of one of B's records or B's gate."""
    real = {v for k in ("plan_id", "incident_id", "invitation_id", "visit_id", "code") for v in values[k]}
    return any(segment in real for segment in path.split("/"))


def snapshot(world: World) -> dict[str, int]:
    b = world.community_b
    return {
        "plans": QuarantinePlan.objects.filter(community=b).exclude(status="active").count(),
        "follow_ups": FollowUp.objects.filter(community=b).count(),
        "incidents_open": Incident.objects.filter(community=b, status="open").count(),
        "escalations": Escalation.objects.filter(community=b).count(),
        "visits_out": Visit.objects.filter(community=b, out_at__isnull=False).count(),
        "invitations": Invitation.objects.filter(community=b).count(),
    }


@pytest.mark.parametrize("who", ["worker", "gate_user"])
def test_every_page_url_refuses_or_hides_community_b(world: World, bw: BWorld, who: str) -> None:
    c = client_for(getattr(world, who))
    before = snapshot(world)
    values = b_values(world, bw)
    checked = 0
    for route, _ in patterns():
        for path in fill(route, values):
            for method in ("get", "post"):
                answer = getattr(c, method)(path, follow=False)
                checked += 1
                assert answer.status_code < 500, (method, path, answer.status_code)
                if answer.status_code == 200:
                    assert not leaks(answer.content), (method, path, leaks(answer.content))
                if names_b(path, values):
                    assert answer.status_code in (302, 400, 403, 404, 405), (method, path, answer.status_code)
    assert checked > 100
    assert snapshot(world) == before


def openapi_operations(c: Any) -> list[tuple[str, str, dict[str, Any]]]:
    doc = c.get("/api/openapi.json").json()
    ops = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((method, path, op))
    return ops


def api_b_bodies(world: World, b: BWorld) -> list[dict[str, Any]]:
    """Bodies that name B's records the ways the API's inputs do."""
    return [
        {},
        {
            "id": str(uuid.uuid4()),
            "checkpoint": world.gate_b.code,
            "community": world.community_b.code,
            "resident": b.resident.pk,
            "plan": b.plan.pk,
            "kind": "resident",
            "reason": "follow_up_call",
            "to": "police_station",
            "temperature": "36.6",
            "direction": "in",
            "mask": True,
            "pass_number": "XDB-000001",
            "outcome": "B-SECRET closed",
            "resolution": "x",
            "people": "x",
        },
        {"kind": "resident", "id": str(b.resident.pk), "reason": "follow_up_call"},
        {"kind": "visit", "id": str(b.visit.pk), "reason": "contact_host"},
    ]


@pytest.mark.parametrize("who", ["worker", "gate_user"])
def test_every_api_operation_refuses_or_hides_community_b(world: World, bw: BWorld, who: str) -> None:
    import re

    user = getattr(world, who)
    c = api_client(user)
    before = snapshot(world)
    values = b_values(world, bw)
    ops = openapi_operations(c)
    assert len(ops) > 30
    for method, path, _op in ops:
        names = re.findall(r"{(\w+)}", path)
        concrete = {path}
        for choice in range(1 + len(GUESSES)):
            p = path
            for name in names:
                pool = values.get(name, []) + list(GUESSES)
                p = p.replace("{" + name + "}", pool[min(choice, len(pool) - 1)])
            concrete.add(p)
        for p in sorted(concrete):
            url = p
            if "{" in url:
                continue
            if method == "get":
                answers = [
                    c.get(url),
                    c.get(url, {"community": world.community_b.code}),
                    c.get(url, {"checkpoint": world.gate_b.code}),
                ]
            else:
                answers = [
                    getattr(c, method)(url, json.dumps(body), content_type="application/json")
                    for body in api_b_bodies(world, bw)
                ]
            named_b = names_b(url, values)
            for answer in answers:
                assert answer.status_code < 500, (method, url, answer.status_code, answer.content[:300])
                if 200 <= answer.status_code < 300:
                    assert not leaks(answer.content), (method, url, leaks(answer.content))
                    assert not named_b, (method, url, answer.status_code)
                elif answer.status_code >= 400 and answer["content-type"].startswith("application/json"):
                    body = answer.json()
                    assert body.get("message"), (method, url, body)  # every refusal explains itself
    assert snapshot(world) == before
