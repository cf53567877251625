"""Pages of the quarantine app: the worker's worklist, registering a Returnee, a Quarantine plan,
self-reports, the health station's alerts, daily figures, and the two links a returnee opens
without an account (``/r/<token>/`` self-report, ``/q/<token>/`` own FollowUp).

Views stay thin: every write is a service of :mod:`shouwang.quarantine.services`, reads come from
:mod:`shouwang.quarantine.selectors`; the private ``_`` helpers at the end turn
missing objects into 404s. Dates shown are each community's local dates (Asia/Shanghai by default).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shouwang.core.access import READ_ONLY_ROLES, community_ids_for, role_of
from shouwang.core.audit import log_read
from shouwang.core.choices import Role
from shouwang.core.errors import NotFound, ShouwangError
from shouwang.core.models import AuditLog
from shouwang.people.selectors import search_people
from shouwang.places.divisions import search_divisions
from shouwang.places.models import Community
from shouwang.quarantine import selectors
from shouwang.quarantine.choices import IN_FORCE, Method, Slot, Source, Symptom, Transport
from shouwang.quarantine.forms import (
    AssignForm,
    DayForm,
    ExtendForm,
    FollowUpForm,
    ReasonForm,
    RegisterForm,
    ResolveForm,
    SelfReportForm,
    current_lang,
    words,
)
from shouwang.quarantine.links import community_for_token, follow_up_token, plan_for_token, self_report_token
from shouwang.quarantine.messages import alert_words
from shouwang.quarantine.models import FollowUp, QuarantinePlan, SelfReport
from shouwang.quarantine.services import (
    PLAN_CHANGERS,
    assign_worker,
    confirm_self_report,
    export_health_station_xlsx,
    extend_plan,
    policy_for,
    record_follow_up,
    register_returnee,
    reject_self_report,
    release_early,
    resolve_alert,
    slot_at,
    submit_self_report,
    transfer_to_hospital,
)
from shouwang.screening.choices import AlertKind
from shouwang.screening.models import Alert

View = Callable[..., HttpResponse]

# Who may open which page (a bare superuser counts as a sub-district admin).
# The inspector and the data-protection officer read what workers read (never write: core.access).
READERS = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION, *READ_ONLY_ROLES)
REGISTRARS = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GATE_STAFF, Role.HEALTH_STATION)
ASSIGNERS = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER)
# The alerts the health station acts on (a breach or a forged pass is the community's business).
HEALTH_ALERTS = selectors.HEALTH_ALERTS

SLOT_STATE_WORDS: dict[str, Any] = {
    "done": gettext_lazy("done"),
    "due": gettext_lazy("due"),
    "overdue": gettext_lazy("overdue"),
    "later": gettext_lazy("later"),
}
ALERT_KIND_WORDS: dict[str, Any] = {
    AlertKind.FOLLOWUP_FEVER: gettext_lazy("Fever at follow-up"),
    AlertKind.FOLLOWUP_SYMPTOMS: gettext_lazy("Symptoms at follow-up"),
    AlertKind.FEVER_REFERRAL: gettext_lazy("Fever referral from the gate"),
}
HISTORY_WORDS: dict[str, Any] = {
    "returnee.register": gettext_lazy("Registered"),
    "quarantine.assign": gettext_lazy("Follow-ups given to another worker"),
    "quarantine.extend": gettext_lazy("Extended"),
    "quarantine.release_early": gettext_lazy("Released early"),
    "quarantine.release_due": gettext_lazy("Released: 14 days completed"),
    "quarantine.transfer": gettext_lazy("Transferred to hospital"),
}


def roles(*allowed: str) -> Callable[[View], View]:
    """Log-in required (else the log-in page), and one of ``allowed`` roles (else 403)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role_of(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


# ---- 1. the worklist ---------------------------------------------------------------------


@dataclass
class SlotCell:
    """One slot of a worklist row: its words, state (``done``/``due``/``overdue``/``later``), reading."""

    label: str
    state: str
    state_words: str
    reading: FollowUp | None
    fever: bool = False


@dataclass
class WorkRow:
    """A plan on today's list, with its quick follow-up form (open when it came back with an error)."""

    item: selectors.WorkItem
    days: int
    slots: list[SlotCell]
    last: FollowUp | None
    last_slot: str
    last_fever: bool
    form: FollowUpForm
    open: bool = False

    @property
    def state(self) -> str:
        """The row's colour: ``overdue``, ``due``, ``done`` (both slots) or ``later``."""
        states = set(self.item.slots.values())
        for state in ("overdue", "due"):
            if state in states:
                return state
        return "done" if states == {"done"} else "later"


@roles(*READERS)
def worklist_page(request: HttpRequest) -> HttpResponse:
    """Today's follow-ups (GET ``?mine=1|0``; workers see their own by default) with an inline
    quick follow-up per row (POST ``plan`` + the row's form) that comes back to the list."""
    user = request.user
    mine = request.GET.get("mine", "1" if role_of(user) == Role.COMMUNITY_WORKER else "0") == "1"
    here = f"{reverse('quarantine:worklist')}?mine={int(mine)}"
    now = timezone.now()
    bound: FollowUpForm | None = None
    bound_plan: int | None = None
    if request.method == "POST":
        plan = _plan_or_404(user, request.POST.get("plan"))
        form = FollowUpForm(request.POST, prefix=f"p{plan.pk}")
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = record_follow_up(
                    plan,
                    temperature=data["temperature"],
                    symptoms=data["symptoms"],
                    method=data["method"],
                    slot=data["slot"],
                    actor=user,
                    client_id=data["client_id"],
                    replace=data.get("replace", False),
                    now=now,
                )
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                _say_recorded(request, plan, result.follow_up, result.alerts)
                return redirect(f"{here}#plan-{plan.pk}")
        bound, bound_plan = form, plan.pk
    items = selectors.worklist(user, mine=mine, now=now)
    last = selectors.last_readings([it.plan.pk for it in items])
    rows = []
    for it in items:
        fever_c = policy_for(it.plan.community).fever_c
        if it.plan.pk == bound_plan and bound is not None:
            form, opened = bound, True
        else:
            form = FollowUpForm(
                prefix=f"p{it.plan.pk}",
                initial={"slot": _slot_to_fill(it, now), "client_id": uuid.uuid4(), "method": Method.PHONE},
            )
            opened = False
        rows.append(
            WorkRow(
                item=it,
                days=(it.plan.last_day - it.plan.first_day).days + 1,
                slots=[
                    SlotCell(
                        words(label),
                        it.slots[value],
                        str(SLOT_STATE_WORDS[it.slots[value]]),
                        it.readings.get(value),
                        fever=value in it.readings and it.readings[value].temperature_c >= fever_c,
                    )
                    for value, label in Slot.choices
                ],
                last=last.get(it.plan.pk),
                last_slot=words(Slot(last[it.plan.pk].slot).label) if it.plan.pk in last else "",
                last_fever=it.plan.pk in last and last[it.plan.pk].temperature_c >= fever_c,
                form=form,
                open=opened,
            )
        )
    counts = {
        "in_quarantine": len(items),
        "due": sum(1 for it in items if it.due),
        "overdue": sum(1 for it in items if it.overdue),
        "self_reports": len(selectors.pending_self_reports(user)),
    }
    if bound is not None and bound_plan not in {it.plan.pk for it in items}:
        # The plan left the list (released meanwhile): say why at the top.
        for error in bound.non_field_errors() or [_("This plan is no longer on today's list.")]:
            messages.error(request, str(error))
    return render(
        request,
        "quarantine/worklist.html",
        {"rows": rows, "counts": counts, "mine": mine, "here": here, "nav": _nav(user, "worklist")},
    )


def _slot_to_fill(item: selectors.WorkItem, now: dt.datetime) -> str:
    """The slot a quick follow-up most likely records: an overdue or due one, else the slot of
    the hour (the morning one until the afternoon one opens)."""
    for state in ("overdue", "due"):
        for slot in Slot.values:
            if item.slots.get(slot) == state:
                return slot
    community = item.plan.community
    return slot_at(now.astimezone(community.tz).hour, policy_for(community))


def _say_recorded(request: HttpRequest, plan: QuarantinePlan, follow_up: FollowUp, alerts: list[str]) -> None:
    slot = words(Slot(follow_up.slot).label)
    text = _("%(name)s: %(celsius)s °C recorded (%(slot)s).") % {
        "name": plan.resident.name,
        "celsius": follow_up.temperature_c,
        "slot": slot,
    }
    if alerts:
        # Chinese sentences end in 。 and take no space between them; English ones do.
        sep = " " if current_lang() == "en" else ""
        messages.warning(request, text + sep + _("The health station has been alerted."))
    else:
        messages.success(request, text)


# ---- 2. registering a returnee -----------------------------------------------------------


@roles(*REGISTRARS)
def register_page(request: HttpRequest) -> HttpResponse:
    """Register a Returnee and start their Quarantine (GET prefilled from ``?resident=``,
    ``?screening=`` and ``?next=``, as the gate's link sends them). Success: the plan page, or
    back to ``next`` (the gate); gate staff never see the plan page."""
    user = request.user
    communities = selectors.user_communities(user)
    if not communities:
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    next_url = _safe_next(request, source.get("next", ""))
    screening = selectors.scoped_screening(user, source.get("screening"))
    resident = selectors.scoped_resident(user, source.get("resident"))
    if resident is None and screening is not None and screening.resident_id:
        resident = selectors.scoped_resident(user, screening.resident_id)
    if request.method == "POST":
        form = RegisterForm(request.POST, communities=communities)
        if form.is_valid():
            community: Community = form.cleaned_data["community"]
            try:
                if source.get("screening") and screening is None:
                    raise NotFound("screening_unknown", field="screening")
                plan = register_returnee(
                    community,
                    person=form.person_in(),
                    trip=form.trip_in(community.tz, form.cleaned_data.get("address") or ""),
                    source=Source.GATE if screening or role_of(user) == Role.GATE_STAFF else Source.WORKER,
                    actor=user,
                    screening=screening,
                )
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                if next_url:
                    return redirect(next_url)
                if role_of(user) == Role.GATE_STAFF:
                    return redirect("gate-home")
                messages.success(
                    request,
                    _("Registered. Home quarantine to %(last)s; free from %(free)s.")
                    % {
                        "last": plan.last_day.isoformat(),
                        "free": (plan.last_day + dt.timedelta(days=1)).isoformat(),
                    },
                )
                return redirect("quarantine:plan", plan_id=plan.pk)
    else:
        community = resident.community if resident else (screening.community if screening else communities[0])
        local = (screening.occurred_at if screening else timezone.now()).astimezone(community.tz)
        form = RegisterForm(
            communities=communities,
            initial={
                "community": community.pk,
                "who": "resident",
                "resident": resident.pk if resident else None,
                "arrived_date": local.date(),
                "arrived_time": local.time().replace(second=0, microsecond=0),
                "transport": Transport.TRAIN,
                "screening": screening.pk if screening else None,
                "next": next_url,
            },
        )
    picked = selectors.scoped_resident(user, form["resident"].value()) if form.is_bound else resident
    return render(
        request,
        "quarantine/register.html",
        {
            "form": form,
            "picked": picked,
            "screening": screening,
            "next_url": next_url,
            "nav": _nav(user, "register"),
            "config": {
                "divisions": reverse("quarantine:divisions"),
                "people": reverse("quarantine:people"),
                "noMatch": _("No match. Check the spelling, or choose another way below."),
            },
        },
    )


@require_GET
def divisions_json(request: HttpRequest) -> JsonResponse:
    """``?q=`` → ``[{code, label}]``, best first (Chinese, pinyin or initials; GB/T 2260 divisions
    in use). Public: the returnee's self-report form uses it too, and it holds no personal data."""
    query = request.GET.get("q", "")[:40]
    hits = search_divisions(query, limit=12) if query.strip() else []
    return JsonResponse([{"code": d.code, "label": d.label} for d in hits], safe=False)


@roles(*REGISTRARS)
@require_GET
def people_json(request: HttpRequest) -> JsonResponse:
    """``?community=<id>&q=`` → residents of that community (of the user's) by name or pinyin:
    ``[{id, name (masked), id_masked, where}]``. Institution members are not returnees."""
    try:
        community_id = int(request.GET.get("community", ""))
    except ValueError:
        raise Http404("community") from None
    if community_id not in community_ids_for(request.user):
        raise Http404("community")
    community = Community.objects.get(pk=community_id)
    hits = [h for h in search_people(community, request.GET.get("q", "")[:40]) if h.kind == "resident"]
    return JsonResponse(
        [{"id": h.id, "name": h.masked_name, "id_masked": h.id_masked, "where": h.where} for h in hits],
        safe=False,
    )


# ---- 3. the plan ---------------------------------------------------------------------------


@dataclass
class HistoryRow:
    at: dt.datetime
    who: str
    what: str
    detail: str


@roles(*READERS)
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A Quarantine plan: the person, the trip, the dates, follow-ups, the returnee's own link as
    a QR, the history; reassigning (worker, admin) and early release, extension or transfer
    (health station, admin), each POSTed with ``action`` and coming back here."""
    user = request.user
    plan = _plan_or_404(user, plan_id)
    role = role_of(user)
    can_change = role in PLAN_CHANGERS
    can_assign = role in ASSIGNERS
    workers = _community_workers(plan.community)
    forms: dict[str, Any] = {
        "assign": AssignForm(prefix="assign", workers=workers, initial={"worker": plan.worker_id}),
        "extend": ExtendForm(prefix="extend", initial={"last_day": plan.last_day + dt.timedelta(days=7)}),
        "release": ReasonForm(prefix="release"),
        "transfer": ReasonForm(prefix="transfer"),
    }
    opened = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms:
            raise Http404(action)
        if (action == "assign" and not can_assign) or (action != "assign" and not can_change):
            raise PermissionDenied
        form = (
            AssignForm(request.POST, prefix="assign", workers=workers)
            if action == "assign"
            else (ExtendForm if action == "extend" else ReasonForm)(request.POST, prefix=action)
        )
        if form.is_valid():
            try:
                said = _change_plan(plan, action, form.cleaned_data, actor=user)
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                messages.success(request, said)
                return redirect("quarantine:plan", plan_id=plan.pk)
        forms[action] = form
        opened = action
    today = plan.community.local_date(timezone.now())
    in_force = plan.status in IN_FORCE and plan.first_day <= today <= plan.last_day
    link = (
        request.build_absolute_uri(reverse("quarantine-own-follow-up", args=[follow_up_token(plan)]))
        if in_force
        else ""
    )
    # Opening one person's plan is a read of their record (DESIGN.md §4); one INSERT.
    log_read(plan, actor=user, via="page")
    return render(
        request,
        "quarantine/plan.html",
        {
            "plan": plan,
            "status_words": words(plan.get_status_display()),
            "transport_words": words(plan.returnee.get_transport_display()),
            "source_words": words(plan.returnee.get_source_display()),
            "free_from": plan.last_day + dt.timedelta(days=1),
            "days": (plan.last_day - plan.first_day).days + 1,
            "day_number": (today - plan.first_day).days + 1 if in_force else None,
            "in_force": in_force,
            "follow_ups": [_follow_up_row(f) for f in selectors.follow_ups_of(plan, newest_first=True)],
            "history": _history(selectors.plan_history(plan)),
            "link": link,
            "qr": _qr_svg(link) if link else "",
            # No number in the link: the phone stays masked until revealed; the SMS app asks whom.
            "sms": f"sms:?&body={quote(link)}" if link and plan.resident.phone else "",
            "forms": forms,
            "opened": opened,
            "can_change": can_change and in_force,
            "can_assign": can_assign and plan.status in IN_FORCE,
            "worker_name": _display_name(plan.worker),
            "nav": _nav(user, "plan"),
        },
    )


def _change_plan(plan: QuarantinePlan, action: str, data: dict[str, Any], *, actor: Any) -> str:
    """Run the service behind ``action`` and say what it did; raises what the service raises."""
    if action == "assign":
        worker = get_user_model().objects.select_related("staff").get(pk=int(data["worker"]))
        assign_worker(plan, worker=worker, actor=actor)
        return _("Follow-ups now by %(name)s.") % {"name": _display_name(worker)}
    if action == "extend":
        extended = extend_plan(plan, last_day=data["last_day"], reason=data["reason"], actor=actor)
        return _("Extended: last day %(last)s, free from %(free)s.") % {
            "last": extended.last_day.isoformat(),
            "free": (extended.last_day + dt.timedelta(days=1)).isoformat(),
        }
    if action == "release":
        release_early(plan, reason=data["reason"], actor=actor)
        return _("Released from home quarantine.")
    transfer_to_hospital(plan, reason=data["reason"], actor=actor)
    return _("Recorded as transferred to hospital.")


@dataclass
class FollowUpRow:
    follow_up: FollowUp
    slot: str
    symptoms: str
    method: str
    by: str
    fever: bool


def _follow_up_row(f: FollowUp) -> FollowUpRow:
    lang = current_lang()
    sep = ", " if lang == "en" else "、"
    return FollowUpRow(
        follow_up=f,
        slot=words(Slot(f.slot).label, lang),
        symptoms=sep.join(words(Symptom(s).label, lang) for s in f.symptoms if s in Symptom.values),
        method=words(Method(f.method).label, lang) if f.method in Method.values else f.method,
        by=_display_name(f.recorded_by) if f.recorded_by_id else _("the returnee"),
        fever=f.temperature_c >= policy_for(f.plan.community).fever_c,
    )


def _history(entries: list[AuditLog]) -> list[HistoryRow]:
    rows = []
    for e in entries:
        d = e.detail or {}
        if e.action == "quarantine.extend":
            detail = f"{d.get('before', '')} → {d.get('after', '')} · {d.get('reason', '')}"
        elif e.action == "returnee.register":
            source = words(Source(d["source"]).label) if d.get("source") in Source.values else ""
            detail = f"{d.get('first_day', '')} – {d.get('last_day', '')} · {source}"
        elif e.action == "quarantine.assign":
            detail = _display_name(
                get_user_model().objects.select_related("staff").filter(pk=int(d.get("worker") or 0)).first()
            )
        else:
            detail = str(d.get("reason", ""))
        rows.append(
            HistoryRow(
                at=e.at,
                who=_display_name(e.actor) if e.actor_id else _("system"),
                what=str(HISTORY_WORDS.get(e.action, e.action)),
                detail=detail,
            )
        )
    return rows


# ---- 4. self-reports -------------------------------------------------------------------------


@dataclass
class ReportRow:
    report: SelfReport
    arrived_at: dt.datetime | None
    transport: str
    reject_form: ReasonForm
    error: str = ""


@dataclass
class ReportLink:
    community: Community
    url: str
    qr: SafeString


@roles(*READERS)
def self_reports_page(request: HttpRequest) -> HttpResponse:
    """Pending self-reports with confirm (→ the new plan) or reject with a reason (POST
    ``report``, ``action``); and each community's self-report link and QR to print."""
    user = request.user
    failed_id, failed_error, failed_form = "", "", None
    if request.method == "POST":
        report = _self_report_or_404(user, request.POST.get("report"))
        action = request.POST.get("action")
        if action not in ("confirm", "reject"):
            raise Http404(action)
        reject = ReasonForm(request.POST, prefix=_reject_prefix(report)) if action == "reject" else None
        try:
            if reject is None:
                plan = confirm_self_report(report, actor=user)
                messages.success(
                    request,
                    _("Confirmed: home quarantine to %(last)s.") % {"last": plan.last_day.isoformat()},
                )
                return redirect("quarantine:plan", plan_id=plan.pk)
            if reject.is_valid():
                reject_self_report(report, reason=reject.cleaned_data["reason"], actor=user)
                messages.success(request, _("Self-report turned down."))
                return redirect("quarantine:self-reports")
        except ShouwangError as err:
            if reject is not None:
                reject.add_service_error(err)
            else:
                failed_error = err.message(current_lang())
        failed_id, failed_form = str(report.pk), reject
    rows = []
    for r in selectors.pending_self_reports(user):
        arrived = r.trip.get("arrived_at")
        mine = str(r.pk) == failed_id
        rows.append(
            ReportRow(
                report=r,
                arrived_at=dt.datetime.fromisoformat(arrived).astimezone(r.community.tz) if arrived else None,
                transport=words(Transport(r.trip["transport"]).label)
                if r.trip.get("transport") in Transport.values
                else "",
                reject_form=(failed_form if mine and failed_form else ReasonForm(prefix=_reject_prefix(r))),
                error=failed_error if mine else "",
            )
        )
    links = []
    for community in selectors.user_communities(user):
        url = request.build_absolute_uri(
            reverse("quarantine-self-report", args=[self_report_token(community)])
        )
        links.append(ReportLink(community, url, _qr_svg(url, scale=5)))
    return render(
        request,
        "quarantine/self_reports.html",
        {"rows": rows, "links": links, "nav": _nav(user, "self-reports")},
    )


def _reject_prefix(report: SelfReport) -> str:
    return f"r{report.pk.hex[:8]}"


# ---- 5. the returnee's own links (no log-in) ---------------------------------------------------


def public_self_report(request: HttpRequest, token: str) -> HttpResponse:
    """The community's self-report form (``/r/<token>/``): a returnee tells the community they
    are back; a worker then calls and confirms. ``?done=1`` is the thank-you page."""
    try:
        community = community_for_token(token)
    except ShouwangError as err:
        return render(
            request, "quarantine/public_invalid.html", {"message": err.message(current_lang())}, status=404
        )
    if request.GET.get("done"):
        return render(request, "quarantine/public_report_done.html", {"community": community})
    if request.method == "POST":
        form = SelfReportForm(request.POST)
        if form.is_valid():
            try:
                submit_self_report(
                    community,
                    person=form.person_in(),
                    trip=form.trip_in(community.tz, form.cleaned_data["address"]),
                )
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                return redirect(f"{request.path}?done=1")
    else:
        local = timezone.now().astimezone(community.tz)
        form = SelfReportForm(initial={"arrived_date": local.date(), "transport": Transport.TRAIN})
    return render(
        request,
        "quarantine/public_report.html",
        {"form": form, "community": community, "config": {"divisions": reverse("quarantine:divisions")}},
    )


def public_follow_up(request: HttpRequest, token: str) -> HttpResponse:
    """The returnee's own follow-up (``/q/<token>/``): temperature and symptoms, once per slot
    (morning, afternoon) of the local day; an ended plan says so."""
    try:
        plan = plan_for_token(token)
    except ShouwangError as err:
        return render(
            request, "quarantine/public_invalid.html", {"message": err.message(current_lang())}, status=404
        )
    community = plan.community
    now = timezone.now()
    local = now.astimezone(community.tz)
    today = local.date()
    policy = policy_for(community)
    slot = slot_at(local.hour, policy)
    context: dict[str, Any] = {
        "plan": plan,
        "day_number": (today - plan.first_day).days + 1,
        "days": (plan.last_day - plan.first_day).days + 1,
        "free_from": plan.last_day + dt.timedelta(days=1),
        "slot_words": words(Slot(slot).label),
        "pm_from": f"{policy.followup_pm_from_h:02d}:00",
        "is_am": slot == Slot.AM,
    }
    if plan.status not in IN_FORCE or not plan.first_day <= today <= plan.last_day:
        return render(request, "quarantine/public_follow_up.html", {**context, "state": "ended"})
    if request.GET.get("done") or selectors.slot_done(plan, today, slot):
        return render(request, "quarantine/public_follow_up.html", {**context, "state": "done"})
    if request.method == "POST":
        form = FollowUpForm(request.POST, public=True)
        if form.is_valid():
            try:
                record_follow_up(
                    plan,
                    temperature=form.cleaned_data["temperature"],
                    symptoms=form.cleaned_data["symptoms"],
                    method=Method.SELF,
                    slot=slot,
                    actor=None,
                    client_id=form.cleaned_data["client_id"],
                    now=now,
                )
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                return redirect(f"{request.path}?done=1")
    else:
        form = FollowUpForm(public=True, initial={"client_id": uuid.uuid4()})
    return render(request, "quarantine/public_follow_up.html", {**context, "state": "form", "form": form})


# ---- 6. the health station -------------------------------------------------------------------


@dataclass
class AlertRow:
    alert: Alert
    kind: str
    words: str
    plan_id: int | None
    form: ResolveForm


@dataclass
class FeverRow:
    follow_up: FollowUp
    slot: str


@roles(*READERS)
def health_page(request: HttpRequest) -> HttpResponse:
    """Open alerts of the user's communities that the health station acts on (follow-up fevers
    and symptoms, gate fever referrals), each with what happened and what to do and a resolve
    form (POST ``alert`` + what was done); and today's fever readings at follow-ups."""
    user = request.user
    bound: tuple[int, ResolveForm] | None = None
    if request.method == "POST":
        alert = _alert_or_404(user, request.POST.get("alert"))
        form = ResolveForm(request.POST, prefix=f"a{alert.pk}")
        if form.is_valid():
            try:
                resolve_alert(alert, resolution=form.cleaned_data["resolution"], actor=user)
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                messages.success(request, _("Alert resolved."))
                return redirect("quarantine:health")
        bound = (alert.pk, form)
    lang = current_lang()
    rows = []
    for a in selectors.open_health_alerts(user):
        plan_id = (a.detail or {}).get("plan")
        rows.append(
            AlertRow(
                alert=a,
                kind=str(ALERT_KIND_WORDS.get(a.kind, a.kind)),
                words=alert_words(a, lang),
                plan_id=int(plan_id) if plan_id else None,
                form=bound[1] if bound and bound[0] == a.pk else ResolveForm(prefix=f"a{a.pk}"),
            )
        )
    fevers = [
        FeverRow(f, words(Slot(f.slot).label, lang)) for f in selectors.fevers_today(user, timezone.now())
    ]
    return render(
        request,
        "quarantine/health.html",
        {"rows": rows, "fevers": fevers, "nav": _nav(user, "health")},
    )


# ---- 7. daily figures -------------------------------------------------------------------------


@roles(*READERS)
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    """Daily figures per community and their total for ``?date=YYYY-MM-DD`` (local; default today)."""
    form = DayForm(request.GET or None)
    day = _day(request, form)
    if not form.is_bound:
        form = DayForm(initial={"date": day})
    rows, total = selectors.daily_figures(request.user, day)
    return render(
        request,
        "quarantine/figures.html",
        {
            "form": form,
            "day": day,
            "rows": rows,
            "total": total,
            "total_label": _("Total"),
            "xlsx": f"{reverse('quarantine:figures-xlsx')}?date={day.isoformat()}",
            "nav": _nav(request.user, "figures"),
        },
    )


@roles(*READERS)
@require_GET
def figures_xlsx(request: HttpRequest) -> HttpResponse:
    """The health station's workbook for ``?date=`` (figures, then one row per person with masked
    IDs); the service audits the export (``quarantine.export``, via ``page``)."""
    form = DayForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A date no figures can exist for: back to the figures page, which says why.
        return redirect(f"{reverse('quarantine:figures')}?{request.GET.urlencode()}")
    day = _day(request, form)
    body = export_health_station_xlsx(request.user, day=day, via="page")
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="shouwang-quarantine-{day.isoformat()}.xlsx"'
    return response


def _day(request: HttpRequest, form: DayForm) -> dt.date:
    """The date asked for, else today in the user's first community's zone."""
    if form.is_bound and form.is_valid() and form.cleaned_data.get("date"):
        day: dt.date = form.cleaned_data["date"]
        return day
    communities = selectors.user_communities(request.user)
    return communities[0].local_date(timezone.now()) if communities else timezone.localdate()


# ---- navigation --------------------------------------------------------------------------------


def _nav(user: Any, here: str) -> list[tuple[str, str, bool]]:
    """The quarantine pages this user's role may open: ``(url, words, current)``."""
    role = role_of(user)
    links: list[tuple[str, str, str]] = []
    if role in READERS:
        links.append(("worklist", reverse("quarantine:worklist"), _("Today's follow-ups")))
    if role in REGISTRARS:
        links.append(("register", reverse("quarantine:register"), _("Register returnee")))
    if role in READERS:
        links += [
            ("self-reports", reverse("quarantine:self-reports"), _("Self-reports")),
            ("health", reverse("quarantine:health"), _("Health station")),
            ("figures", reverse("quarantine:figures"), _("Daily figures")),
        ]
    if len(links) < 2:
        return []  # gate staff: the register page alone needs no menu
    return [(url, text, key == here) for key, url, text in links]


# ---- small reads the selectors do not have ------------------------------------------------------


def _plan_or_404(user: Any, plan_id: Any) -> QuarantinePlan:
    """:func:`selectors.get_plan` as a 404: another community's plan looks like none."""
    try:
        return selectors.get_plan(user, int(plan_id))
    except (NotFound, TypeError, ValueError):
        raise Http404("plan") from None


def _self_report_or_404(user: Any, report_id: Any) -> SelfReport:
    try:
        return selectors.get_self_report(user, uuid.UUID(str(report_id)))
    except (NotFound, ValueError):
        raise Http404("self-report") from None


def _safe_next(request: HttpRequest, url: str) -> str:
    """``next`` only when it is a path on this site (no open redirect)."""
    ok = url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if ok else ""


def _community_workers(community: Community) -> list[tuple[int, str]]:
    """``(user id, name)`` of the community's workers, for reassigning follow-ups."""
    return [
        (u.pk, _display_name(u))
        for u in get_user_model()
        .objects.filter(staff__role=Role.COMMUNITY_WORKER, staff__communities=community, is_active=True)
        .select_related("staff")
        .order_by("staff__display_name", "pk")
    ]


def _display_name(user: Any) -> str:
    if user is None:
        return _("unassigned")
    staff = getattr(user, "staff", None)
    return str(staff.display_name) if staff is not None else str(user.get_username())


def _alert_or_404(user: Any, alert_id: Any) -> Alert:
    try:
        pk = int(alert_id)
    except (TypeError, ValueError):
        raise Http404("alert") from None
    alert = (
        Alert.objects.filter(pk=pk, community_id__in=community_ids_for(user), kind__in=HEALTH_ALERTS)
        .select_related("community")
        .first()
    )
    if alert is None:
        raise Http404("alert")
    return alert


def _qr_svg(url: str, *, scale: int = 4) -> SafeString:
    """An inline SVG QR code of ``url`` (segno; our own URL, so safe to inline)."""
    svg = segno.make(url, error="m", micro=False).svg_inline(scale=scale, dark="#1d2a33", omitsize=False)
    return mark_safe(svg)  # noqa: S308 - segno output of a URL we built  # nosec B308 B703
