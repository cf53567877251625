"""Pages of the duty roster: the coordinator's rosters and solve form, the grid (gate × day ×
shift, printable) with its hand edits, "my shifts" with the calendar feed and swap requests, the
coordinator's swap decisions, the duty-hours report, the public .ics feed, and the duty strip
of the gate page (:func:`duty_strip`).

Views stay thin: every write is a service of :mod:`shouwang.roster.services` (which checks role
and scope again and refuses in words), every read a selector of
:mod:`shouwang.roster.selectors` (plus :func:`shouwang.roster.build.roster_staff` for the lists
of people to pick from). Roles: the sub-district admin is the coordinator; a community worker
reads the grid of their communities' gates; anyone with a staff record has "my shifts"; gate
staff ask for swaps. Another sub-district's roster or swap is a 404 exactly like a missing one.
Dates and times shown are local to the sub-district (Asia/Shanghai by default).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from shouwang.core.access import READ_ONLY_ROLES, role_of
from shouwang.core.choices import Role
from shouwang.core.errors import NotFound, ShouwangError
from shouwang.core.models import Staff
from shouwang.places.models import Checkpoint, Subdistrict
from shouwang.quarantine.forms import current_lang, words
from shouwang.roster.build import roster_staff
from shouwang.roster.calendar import ics_for
from shouwang.roster.choices import RosterStatus, SolverStatus, SwapKind, SwapStatus
from shouwang.roster.forms import (
    PAGE_TIME_LIMIT_MAX,
    AssignForm,
    DecideForm,
    RangeForm,
    ResolveForm,
    SolveForm,
    SwapForm,
)
from shouwang.roster.links import calendar_token, staff_for_calendar_token
from shouwang.roster.models import Roster, Shift, ShiftTemplate, SwapRequest
from shouwang.roster.selectors import (
    GridCell,
    GridPerson,
    RosterGrid,
    duty_hours,
    feed_shifts,
    get_roster,
    get_shift,
    get_subdistrict,
    get_swap,
    grid,
    list_rosters,
    list_swaps,
    my_shifts,
    on_duty_now,
)
from shouwang.roster.services import (
    SolveOutcome,
    assign_shift,
    cancel_swap,
    decide_swap,
    export_duty_hours_xlsx,
    export_roster_xlsx,
    lock_shift,
    publish_roster,
    remove_shift,
    request_swap,
    solve_roster,
    unlock_shift,
)

View = Callable[..., HttpResponse]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COORDINATOR = (Role.SUBDISTRICT_ADMIN,)
GRID_READERS = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, *READ_ONLY_ROLES)
MY_SHIFTS_DAYS = 28
""""My shifts" shows today and the 27 days after (a published roster rarely reaches further)."""
DUTY_LOOKAHEAD_DAYS = 7
"""The gate page's "next shift" looks this far ahead."""
WEEK = 7
"""The grid is cut into tables of at most a week: one landscape A4 page each when printed."""
TEAM_COLOURS = 6
"""Team colours in the grid (``team-0``..``team-5`` in roster.css), given by team name order."""
WEEKDAYS_ZH = "一二三四五六日"


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


# ---- words for dates and times --------------------------------------------------------------


def day_label(day: dt.date, lang: str | None = None) -> str:
    """``3月2日 周一`` / ``Mon 2 Mar``: a local date as the roster shows it."""
    if (lang or current_lang()) == "en":
        return f"{day:%a} {day.day} {day:%b}"
    return f"{day.month}月{day.day}日 周{WEEKDAYS_ZH[day.weekday()]}"


def short_time(at: dt.time) -> str:
    """``06`` for 06:00, ``06:30`` otherwise (the grid's column heads are narrow)."""
    return f"{at:%H}" if at.minute == 0 else f"{at:%H:%M}"


def template_short(template: ShiftTemplate) -> str:
    """``06–10``: a shift template in a grid column head (``+1`` never fits; the label has it)."""
    end = (
        dt.datetime.combine(dt.date(2000, 1, 1), template.start) + dt.timedelta(minutes=template.minutes)
    ).time()
    return f"{short_time(template.start)}–{short_time(end)}"


def span(starts_at: dt.datetime, ends_at: dt.datetime, zone: ZoneInfo) -> str:
    """``06:00–10:00`` in local time."""
    return f"{starts_at.astimezone(zone):%H:%M}–{ends_at.astimezone(zone):%H:%M}"


def _zone(subdistrict: Subdistrict) -> ZoneInfo:
    return ZoneInfo(subdistrict.timezone)


def _today(subdistrict: Subdistrict) -> dt.date:
    return timezone.now().astimezone(_zone(subdistrict)).date()


def _figure(value: float | None, digits: int = 1) -> str:
    """``6030``, ``0.25``, ``1.5`` (at most ``digits`` decimals, no trailing zeros), ``—`` for none."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _solver_words(status: str) -> str:
    return words(SolverStatus(status).label) if status in SolverStatus.values else status


# ---- 1. the coordinator's rosters ------------------------------------------------------------


@dataclass
class RosterRow:
    """A roster in the list, with its solver's figures in words."""

    roster: Roster
    status: str
    solver: str
    objective: str
    gap: str
    wall: str
    empty: int


@roles(*GRID_READERS)
def rosters_page(request: HttpRequest) -> HttpResponse:
    """The sub-district's rosters (latest first; a community worker sees published ones) and,
    for the coordinator, the form to solve a new horizon (POST). A roster made goes to its grid;
    none made stays here with the reasons in words ("东斜街北口 3月3日 06:00–10:00 需要 2 人，
    但只有 1 人能上岗。") and nothing stored."""
    user = request.user
    coordinator = role_of(user) == Role.SUBDISTRICT_ADMIN
    rosters = list_rosters(user)
    form: SolveForm | None = None
    failed: SolveOutcome | None = None
    if coordinator:
        subdistrict = _subdistrict_or_404(user, request.GET.get("subdistrict"))
        if request.method == "POST":
            form = SolveForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    outcome = solve_roster(
                        subdistrict,
                        start=data["start"],
                        days=data["days"],
                        actor=user,
                        time_limit_s=data["time_limit_s"],
                        soft_coverage=data["soft_coverage"],
                    )
                except ShouwangError as err:
                    form.add_service_error(err)
                else:
                    if outcome.stored and outcome.roster is not None:
                        messages.success(request, _solved_words(outcome))
                        return redirect("roster:detail", roster_id=outcome.roster.pk)
                    failed = outcome
        else:
            form = SolveForm(
                initial={"start": _next_start(subdistrict, rosters), "days": 7, "time_limit_s": 10}
            )
    elif request.method == "POST":
        raise PermissionDenied
    lang = current_lang()
    rows = [
        RosterRow(
            roster=r,
            status=words(RosterStatus(r.status).label),
            solver=_solver_words(r.solver_status),
            objective=_figure(r.objective, 0),
            gap=_figure(r.gap_pct, 2),
            wall=_figure(r.wall_s, 2),
            empty=sum(int(e.get("missing", 0)) for e in r.empty_slots),
        )
        for r in rosters
    ]
    return render(
        request,
        "roster/list.html",
        {
            "rows": rows,
            "form": form,
            "failed": failed,
            "failed_status": _solver_words(failed.status) if failed else "",
            "failed_reasons": [r.text(lang) for r in failed.reasons] if failed else [],
            "coordinator": coordinator,
            "nav": _nav(user, "rosters"),
        },
    )


def _next_start(subdistrict: Subdistrict, rosters: list[Roster]) -> dt.date:
    """Tomorrow, or the day after the latest roster when that is later (rosters never overlap)."""
    start = _today(subdistrict) + dt.timedelta(days=1)
    ends = [r.end for r in rosters if r.subdistrict_id == subdistrict.pk]
    return max([start, *(e + dt.timedelta(days=1) for e in ends)])


def _solved_words(outcome: SolveOutcome) -> str:
    roster = outcome.roster
    assert roster is not None
    empty = sum(int(e.get("missing", 0)) for e in roster.empty_slots)
    said = _(
        "Roster %(first)s to %(last)s solved: %(status)s in %(seconds)s s. It is a draft until you publish it."
    ) % {
        "first": roster.start.isoformat(),
        "last": roster.end.isoformat(),
        "status": _solver_words(outcome.status),
        "seconds": _figure(roster.wall_s, 2),
    }
    if outcome.changed is not None:
        said += " " + ngettext(
            "%(n)s shift moved from the roster before.",
            "%(n)s shifts moved from the roster before.",
            outcome.changed,
        ) % {"n": outcome.changed}
    if empty:
        said += " " + _("%(n)s places stay empty (in red).") % {"n": empty}
    return said


# ---- 2. the grid -----------------------------------------------------------------------------


@dataclass
class PersonView:
    """A person in a cell, with their team's colour class and the edit forms' values."""

    person: GridPerson
    colour: str


@dataclass
class CellView:
    """One gate on one shift of one day: ``key`` anchors it (``c-<gate>-<date>-<shift>``)."""

    key: str
    cell: GridCell
    people: list[PersonView]
    first_of_day: bool
    assign_url: str


@dataclass
class RowView:
    checkpoint: Checkpoint
    cells: list[CellView]


@dataclass
class DayHead:
    date: dt.date
    label: str
    weekend: bool


@dataclass
class WeekView:
    """At most seven days of the grid: one table (and one printed page)."""

    days: list[DayHead]
    rows: list[RowView]


@dataclass
class Legend:
    name: str
    colour: str


@dataclass
class GridPage:
    weeks: list[WeekView]
    templates: list[tuple[str, str]]  # (short, full label)
    teams: list[Legend]
    empty: list[str] = field(default_factory=list)


def grid_page(g: RosterGrid, *, here: str, lang: str) -> GridPage:
    """The grid cut into weeks, each cell with its people coloured by team, and the empty places
    in words (``东斜街北口 3月3日 周二 06:00–10:00：2 个岗位空 1 个``)."""
    teams = sorted({p.team for row in g.rows for day in row.cells for c in day for p in c.people if p.team})
    colour = {name: f"team-{i % TEAM_COLOURS}" for i, name in enumerate(teams)}
    weeks: list[WeekView] = []
    for first in range(0, len(g.dates), WEEK):
        span_days = range(first, min(first + WEEK, len(g.dates)))
        heads = [
            DayHead(g.dates[d], day_label(g.dates[d], lang), g.dates[d].weekday() >= 5) for d in span_days
        ]
        rows = []
        for row in g.rows:
            cells = []
            for d in span_days:
                for k, cell in enumerate(row.cells[d]):
                    key = f"c-{row.checkpoint.code}-{cell.date.isoformat()}-{cell.template.code}"
                    cells.append(
                        CellView(
                            key=key,
                            cell=cell,
                            people=[PersonView(p, colour.get(p.team, "team-none")) for p in cell.people],
                            first_of_day=k == 0,
                            assign_url=(
                                f"{here}?edit=1&checkpoint={row.checkpoint.code}&date={cell.date.isoformat()}"
                                f"&shift={cell.template.code}#assign"
                            ),
                        )
                    )
            rows.append(RowView(row.checkpoint, cells))
        weeks.append(WeekView(heads, rows))
    empty = []
    for gate, cell in g.empty:
        where = f"{gate.name} {day_label(cell.date, lang)} {cell.template.label()}"
        if cell.missing:
            empty.append(
                _("%(where)s: %(n)s of %(needed)s places empty")
                % {"where": where, "n": cell.missing, "needed": cell.needed}
            )
        else:
            empty.append(_("%(where)s: no team lead") % {"where": where})
    return GridPage(
        weeks=weeks,
        templates=[(template_short(t), t.label()) for t in g.templates],
        teams=[Legend(name, colour[name]) for name in teams],
        empty=empty,
    )


@roles(*GRID_READERS)
def roster_page(request: HttpRequest, roster_id: int) -> HttpResponse:
    """The grid: gates as rows, days as columns split into their shifts, people in the cells
    (team colour, ★ lead, locked marked), empty places in red. The coordinator's edits are POSTs
    with ``action``: ``lock``/``unlock``/``remove`` (``shift``), ``assign`` (person, gate, date,
    shift), ``resolve`` (same horizon, around the locks) and ``publish``; each comes back here.
    ``?edit=1`` shows the edit buttons; ``?checkpoint=&date=&shift=`` prefill the assign form. A
    community worker sees a read-only grid of their communities' gates."""
    user = request.user
    roster = _roster_or_404(user, roster_id)
    coordinator = role_of(user) == Role.SUBDISTRICT_ADMIN
    here = reverse("roster:detail", args=[roster.pk])
    lang = current_lang()
    g = grid(roster, user=user)
    failed: SolveOutcome | None = None
    opened = ""
    choices = AssignChoices.of(roster, g) if coordinator else None
    assign_form: AssignForm | None = None
    resolve_form: ResolveForm | None = None
    if request.method == "POST":
        if choices is None:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action in ("lock", "unlock", "remove"):
            return _edit_shift(request, roster, action, here)
        if action == "publish":
            try:
                publish_roster(roster, actor=user)
            except ShouwangError as err:
                messages.error(request, err.message(lang))
            else:
                messages.success(request, _("Published: the staff now see their shifts and calendar."))
            return redirect(here)
        if action == "assign":
            assign_form = choices.form(request.POST)
            if assign_form.is_valid():
                done = _assign(request, roster, choices, assign_form)
                if done is not None:
                    return redirect(f"{here}?edit=1#{done}")
            opened = "assign"
        elif action == "resolve":
            resolve_form = ResolveForm(request.POST)
            if resolve_form.is_valid():
                try:
                    outcome = solve_roster(
                        roster.subdistrict,
                        start=roster.start,
                        days=roster.days,
                        actor=user,
                        time_limit_s=resolve_form.cleaned_data["time_limit_s"],
                        soft_coverage=resolve_form.cleaned_data["soft_coverage"],
                        keep_current=resolve_form.cleaned_data["keep_current"],
                    )
                except ShouwangError as err:
                    resolve_form.add_service_error(err)
                else:
                    if outcome.stored:
                        messages.success(request, _solved_words(outcome))
                        return redirect(here)
                    failed = outcome
            opened = "resolve"
        else:
            raise Http404(action)
    if choices is not None and assign_form is None:
        cell = {k: request.GET[k] for k in ("checkpoint", "date", "shift") if request.GET.get(k)}
        assign_form = choices.form(None, initial=cell)
        opened = opened or ("assign" if cell else "")
    if coordinator and resolve_form is None:
        resolve_form = ResolveForm(
            initial={
                "time_limit_s": min(roster.time_limit_s, PAGE_TIME_LIMIT_MAX),
                "soft_coverage": roster.soft_coverage,
                "keep_current": True,  # afresh is a choice made each time, not remembered
            }
        )
    return render(
        request,
        "roster/grid.html",
        {
            "roster": roster,
            "g": g,
            "page": grid_page(g, here=here, lang=lang),
            "coordinator": coordinator,
            "edit": coordinator and (request.GET.get("edit") == "1" or request.method == "POST"),
            "here": here,
            "status_words": words(RosterStatus(roster.status).label),
            "solver_words": _solver_words(roster.solver_status),
            "figures": {
                "objective": _figure(roster.objective, 0),
                "bound": _figure(roster.best_bound, 0),
                "gap": _figure(roster.gap_pct, 2),
                "wall": _figure(roster.wall_s, 2),
            },
            "explanations": _remarks(roster, bool(g.empty), lang),
            "assign_form": assign_form,
            "resolve_form": resolve_form,
            "opened": opened,
            "failed": failed,
            "failed_status": _solver_words(failed.status) if failed else "",
            "failed_reasons": [r.text(lang) for r in failed.reasons] if failed else [],
            "xlsx": reverse("roster:xlsx", args=[roster.pk]),
            "nav": _nav(user, "rosters"),
        },
    )


SLOT_CODES = frozenset({"roster_empty_slot", "roster_empty_lead"})


def _remarks(roster: Roster, gaps: bool, lang: str) -> list[str]:
    """The solver's remarks on the stored solve, in words. Its per-slot lines are left out: the
    page lists the empty places as they are now (edits may have filled some), and the headline
    ("at best these slots stay empty") only while some are."""
    return [
        e.get("en" if lang == "en" else "zh", "")
        for e in roster.explanations
        if e.get("code") not in SLOT_CODES and (gaps or e.get("code") != "roster_no_full_cover")
    ]


def _edit_shift(request: HttpRequest, roster: Roster, action: str, here: str) -> HttpResponse:
    """Lock, unlock or remove one Shift of ``roster``; a refusal shows at the top."""
    shift = _shift_or_404(roster, request.POST.get("shift"))
    name = shift.staff.display_name
    anchor = f"c-{shift.checkpoint.code}-{shift.date.isoformat()}-{shift.template.code}"
    try:
        if action == "lock":
            lock_shift(shift, actor=request.user)
            said = _("%(name)s locked: re-solving keeps them there.") % {"name": name}
        elif action == "unlock":
            unlock_shift(shift, actor=request.user)
            said = _("%(name)s unlocked: the next re-solve may move them.") % {"name": name}
        else:
            remove_shift(shift, actor=request.user)
            said = _("%(name)s removed from this shift.") % {"name": name}
    except ShouwangError as err:
        messages.error(request, err.message(current_lang()))
    else:
        messages.success(request, said)
    return redirect(f"{here}?edit=1#{anchor}")


@dataclass
class AssignChoices:
    """What the coordinator may pick to assign by hand: the sub-district's gate staff (by team
    and name), the grid's gates, the roster's dates and the active shift templates."""

    roster: Roster
    people: list[Staff]
    gates: list[Checkpoint]
    templates: list[ShiftTemplate]

    @classmethod
    def of(cls, roster: Roster, g: RosterGrid) -> AssignChoices:
        people = sorted(
            roster_staff(roster.subdistrict), key=lambda s: (s.team.name if s.team else "~", s.display_name)
        )
        return cls(roster, people, [row.checkpoint for row in g.rows], [t for t in g.templates if t.active])

    def form(self, data: Any, *, initial: dict[str, str] | None = None) -> AssignForm:
        lang = current_lang()
        return AssignForm(
            data,
            initial=initial,
            people=[(str(s.pk), _person_words(s)) for s in self.people],
            gates=[(c.code, f"{c.name} · {c.community.name}") for c in self.gates],
            dates=[(d.isoformat(), day_label(d, lang)) for d in self.roster.dates],
            shifts=[(t.code, t.label()) for t in self.templates],
        )


def _person_words(staff: Staff) -> str:
    """``a1 · 第一临时党支部 ★``: a person in a pick list (name, team, lead)."""
    return (
        staff.display_name + (f" · {staff.team.name}" if staff.team else "") + (" ★" if staff.is_lead else "")
    )


def _assign(request: HttpRequest, roster: Roster, choices: AssignChoices, form: AssignForm) -> str | None:
    """Run ``assign_shift`` from a valid form; the cell's anchor, or None with the refusal put
    on the form."""
    data = form.cleaned_data
    staff = next(s for s in choices.people if str(s.pk) == data["staff"])
    gate = next(c for c in choices.gates if c.code == data["checkpoint"])
    template = next(t for t in choices.templates if t.code == data["shift"])
    try:
        assign_shift(
            roster, staff=staff, checkpoint=gate, date=data["date"], template=template, actor=request.user
        )
    except ShouwangError as err:
        form.add_service_error(err)
        return None
    messages.success(
        request,
        _("%(name)s put at %(gate)s, %(day)s %(shift)s (locked).")
        % {
            "name": staff.display_name,
            "gate": gate.name,
            "day": day_label(data["date"]),
            "shift": template.label(),
        },
    )
    return f"c-{gate.code}-{data['date'].isoformat()}-{template.code}"


@roles(*GRID_READERS)
@require_GET
def roster_xlsx(request: HttpRequest, roster_id: int) -> HttpResponse:
    """The printable grid as .xlsx (the service limits it to the actor's gates and audits it)."""
    roster = _roster_or_404(request.user, roster_id)
    body = export_roster_xlsx(roster, actor=request.user, via="page")
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="shouwang-roster-{roster.start.isoformat()}.xlsx"'
    )
    return response


# ---- 3. my shifts ------------------------------------------------------------------------------


@dataclass
class MyShiftRow:
    """One of my upcoming Shifts, with my pending swap request for it or the form to ask one."""

    shift: Shift
    day: str
    time: str
    now: bool
    swap: SwapRequest | None
    form: SwapForm | None
    open: bool = False


@dataclass
class SwapLine:
    """A swap request in words (for "my shifts" and the coordinator's page)."""

    swap: SwapRequest
    day: str
    time: str
    kind: str
    status: str
    to: str
    mine: bool = False
    form: DecideForm | None = None
    open: bool = False


@login_required
def my_shifts_page(request: HttpRequest) -> HttpResponse:
    """The user's Shifts of published rosters from today on (local dates and times, gate), the
    calendar subscription (webcal and https links of the signed feed) and a download, and, for
    gate staff, a swap request per Shift not yet begun (POST ``action=swap``: to a named
    colleague who may stand at that gate, or to anyone) and their requests (``action=cancel``)."""
    user = request.user
    staff = getattr(user, "staff", None)
    if staff is None:
        raise PermissionDenied
    zone = _zone(staff.subdistrict)
    now = timezone.now()
    today = now.astimezone(zone).date()
    lang = current_lang()
    shifts = [
        s for s in my_shifts(user, today, today + dt.timedelta(days=MY_SHIFTS_DAYS - 1)) if s.ends_at > now
    ]
    can_swap = role_of(user) == Role.GATE_STAFF
    colleagues = [s for s in roster_staff(staff.subdistrict) if s.pk != staff.pk] if can_swap else []
    bound: tuple[int, SwapForm] | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "cancel":
            return _cancel_swap(request)
        if action != "swap" or not can_swap:
            raise Http404(action)
        shift = _mine_or_404(shifts, request.POST.get("shift"))
        form = SwapForm(request.POST, prefix=f"s{shift.pk}", colleagues=_colleague_choices(colleagues, shift))
        if form.is_valid():
            to = form.cleaned_data["to_staff"]
            to_staff = next((c for c in colleagues if str(c.pk) == to), None) if to else None
            try:
                request_swap(shift, actor=user, to_staff=to_staff, reason=form.cleaned_data["reason"])
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                messages.success(request, _("Swap asked: the coordinator will approve or reject it."))
                return redirect("roster:mine")
        bound = (shift.pk, form)
    mine = list_swaps(user)
    pending = {s.shift_id: s for s in mine if s.status == SwapStatus.PENDING and s.requested_by_id == user.pk}
    rows = []
    for s in shifts:
        form_ = None
        if can_swap and s.starts_at > now and s.pk not in pending:
            form_ = (
                bound[1]
                if bound and bound[0] == s.pk
                else SwapForm(prefix=f"s{s.pk}", colleagues=_colleague_choices(colleagues, s))
            )
        rows.append(
            MyShiftRow(
                shift=s,
                day=day_label(s.date, lang),
                time=span(s.starts_at, s.ends_at, zone),
                now=s.starts_at <= now < s.ends_at,
                swap=pending.get(s.pk),
                form=form_,
                open=bool(bound and bound[0] == s.pk),
            )
        )
    feed = request.build_absolute_uri(reverse("roster:calendar", args=[calendar_token(staff)]))
    return render(
        request,
        "roster/mine.html",
        {
            "rows": rows,
            "swaps": [_swap_line(s, lang, user) for s in mine],
            "feed": feed,
            "webcal": "webcal://" + feed.split("://", 1)[1],
            "can_swap": can_swap,
            "nav": _nav(user, "mine"),
        },
    )


def _colleague_choices(colleagues: Iterable[Staff], shift: Shift) -> list[tuple[str, str]]:
    """Colleagues who may stand at ``shift``'s gate (staff of its community), by name."""
    return [
        (str(c.pk), c.display_name + (f" · {c.team.name}" if c.team else ""))
        for c in sorted(colleagues, key=lambda c: c.display_name)
        if any(m.pk == shift.community_id for m in c.communities.all())
    ]


def _cancel_swap(request: HttpRequest) -> HttpResponse:
    swap = _swap_or_404(request.user, request.POST.get("swap"))
    try:
        cancel_swap(swap, actor=request.user)
    except ShouwangError as err:
        messages.error(request, err.message(current_lang()))
    else:
        messages.success(request, _("Swap request withdrawn."))
    return redirect("roster:mine")


def _swap_line(swap: SwapRequest, lang: str, user: Any) -> SwapLine:
    shift = swap.shift
    zone = _zone(shift.roster.subdistrict)
    to = swap.to_staff.display_name if swap.to_staff is not None else _("anyone (the coordinator picks)")
    return SwapLine(
        swap=swap,
        day=day_label(shift.date, lang),
        time=span(shift.starts_at, shift.ends_at, zone),
        kind=words(SwapKind(swap.kind).label),
        status=words(SwapStatus(swap.status).label),
        to=to,
        mine=swap.requested_by_id == getattr(user, "pk", None),
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The staff member's published Shifts as iCalendar (``text/calendar``), public by its signed
    token so a phone calendar can subscribe; a forged or revoked token is a 404. ``?download=1``
    serves it as a file."""
    try:
        staff = staff_for_calendar_token(token)
    except ShouwangError:
        raise Http404("calendar") from None
    response = HttpResponse(ics_for(staff, feed_shifts(staff)), content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="shouwang-shifts.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---- 4. the coordinator's swaps ------------------------------------------------------------------


@roles(*COORDINATOR)
def swaps_page(request: HttpRequest) -> HttpResponse:
    """Swap requests of the sub-district, pending ones first (oldest first). POST ``swap`` and
    ``action`` (``approve``/``reject``) with the row's form (who takes an open offer, a note);
    a refusal (the new person is not free or rested, the shift has begun) shows on the row and
    the swap stays pending."""
    user = request.user
    lang = current_lang()
    bound: tuple[int, DecideForm] | None = None
    rostered: dict[int, list[Staff]] = {}

    def _staff_of(subdistrict: Subdistrict) -> list[Staff]:
        if subdistrict.pk not in rostered:
            rostered[subdistrict.pk] = roster_staff(subdistrict)
        return rostered[subdistrict.pk]

    if request.method == "POST":
        swap = _swap_or_404(user, request.POST.get("swap"))
        action = request.POST.get("action", "")
        if action not in ("approve", "reject"):
            raise Http404(action)
        staff = _staff_of(swap.shift.roster.subdistrict)
        people = _takers(swap, staff) if swap.to_staff_id is None and action == "approve" else None
        form = DecideForm(request.POST, prefix=f"w{swap.pk}", people=people)
        if form.is_valid():
            to = form.cleaned_data.get("to_staff")
            to_staff = next((s for s in staff if str(s.pk) == to), None) if to else None
            try:
                decide_swap(
                    swap,
                    approve=action == "approve",
                    actor=user,
                    to_staff=to_staff,
                    note=form.cleaned_data["note"],
                )
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                if action == "approve":
                    messages.success(request, _("Swap approved: the shift has moved (and is locked)."))
                else:
                    messages.success(request, _("Swap rejected."))
                return redirect("roster:swaps")
        bound = (swap.pk, form)
    lines = []
    for s in list_swaps(user):
        line = _swap_line(s, lang, user)
        if s.status == SwapStatus.PENDING:
            if bound and bound[0] == s.pk:
                line.form, line.open = bound[1], True
            else:
                people = _takers(s, _staff_of(s.shift.roster.subdistrict)) if s.to_staff_id is None else None
                line.form = DecideForm(prefix=f"w{s.pk}", people=people)
        lines.append(line)
    return render(request, "roster/swaps.html", {"lines": lines, "nav": _nav(user, "swaps")})


def _takers(swap: SwapRequest, staff: list[Staff]) -> list[tuple[str, str]]:
    """Who may take an open offer: gate staff of the shift's community, but its own person."""
    return [
        (str(s.pk), _person_words(s))
        for s in sorted(staff, key=lambda s: s.display_name)
        if s.pk != swap.from_staff_id and any(c.pk == swap.community_id for c in s.communities.all())
    ]


# ---- 5. duty hours -----------------------------------------------------------------------------


@roles(*COORDINATOR)
@require_GET
def hours_page(request: HttpRequest) -> HttpResponse:
    """Duty hours per person and team over ``?from=&to=`` (local dates; default the last 7 days
    to today) from sign-ins, with the rostered hours beside, late, absent and still signed in."""
    subdistrict = _subdistrict_or_404(request.user, request.GET.get("subdistrict"))
    form, start, end = _range(request, subdistrict)
    report = duty_hours(subdistrict, start, end)
    query = f"from={start.isoformat()}&to={end.isoformat()}"
    return render(
        request,
        "roster/hours.html",
        {
            "form": form,
            "report": report,
            "zone": subdistrict.timezone,
            "xlsx": f"{reverse('roster:hours-xlsx')}?{query}",
            "nav": _nav(request.user, "hours"),
        },
    )


@roles(*COORDINATOR)
@require_GET
def hours_xlsx(request: HttpRequest) -> HttpResponse:
    """The duty-hours report as .xlsx (audited by the service); a bad range goes back to the page."""
    subdistrict = _subdistrict_or_404(request.user, request.GET.get("subdistrict"))
    form, start, end = _range(request, subdistrict)
    if form.errors:
        return redirect(f"{reverse('roster:hours')}?{request.GET.urlencode()}")
    body = export_duty_hours_xlsx(subdistrict, start=start, end=end, actor=request.user, via="page")
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="shouwang-duty-hours-{start.isoformat()}-{end.isoformat()}.xlsx"'
    )
    return response


def _range(request: HttpRequest, subdistrict: Subdistrict) -> tuple[RangeForm, dt.date, dt.date]:
    """The local dates asked for (``from`` alone: a week from it; ``to`` alone: the week to it);
    the last 7 days to today when nothing usable was asked (the form then shows why)."""
    week = dt.timedelta(days=6)
    end = _today(subdistrict)
    start = end - week
    if not request.GET.get("from") and not request.GET.get("to"):
        return RangeForm(initial={"from": start, "to": end}), start, end
    form = RangeForm(request.GET)
    if form.is_valid():
        asked_start, asked_end = form.cleaned_data.get("from"), form.cleaned_data.get("to")
        if asked_start and asked_end:
            start, end = asked_start, asked_end
        elif asked_start:
            start, end = asked_start, asked_start + week
        elif asked_end:
            start, end = asked_end - week, asked_end
    return form, start, end


# ---- 7. the gate page's duty strip -----------------------------------------------------------------


@dataclass
class DutyStrip:
    """What the gate page tells gate staff about their duty: ``state`` ``off`` (not signed in),
    ``here`` (signed in at this gate) or ``elsewhere`` (at ``gate_name``), ``since`` (local
    ``HH:MM``, with the date when not today), and their current or next Shift in words."""

    state: str
    since: str = ""
    gate_name: str = ""
    shift_words: str = ""
    shift_elsewhere: bool = False


def duty_strip(user: Any, gate: Checkpoint, *, now: dt.datetime | None = None) -> DutyStrip | None:
    """The duty strip of ``user`` at ``gate``, or None for someone who is not gate staff. Reads
    who is signed in at the sub-district's gates and the user's published Shifts of the next
    seven days (four queries)."""
    staff = getattr(user, "staff", None)
    if staff is None or role_of(user) != Role.GATE_STAFF:
        return None
    now = now or timezone.now()
    zone = gate.community.tz
    today = now.astimezone(zone).date()
    present = [a for a in on_duty_now(staff.subdistrict, now=now).present if a.staff_id == staff.pk]
    strip = DutyStrip(state="off")
    if present:
        a = present[0]
        local = a.signed_in_at.astimezone(zone)
        strip.since = (
            f"{local:%H:%M}" if local.date() == today else f"{day_label(local.date())} {local:%H:%M}"
        )
        strip.state = "here" if a.checkpoint_id == gate.pk else "elsewhere"
        strip.gate_name = a.checkpoint.name
    upcoming = [
        s for s in my_shifts(user, today, today + dt.timedelta(days=DUTY_LOOKAHEAD_DAYS)) if s.ends_at > now
    ]
    if upcoming:
        s = upcoming[0]
        time = span(s.starts_at, s.ends_at, zone)
        if s.starts_at <= now:
            text = _("This shift: %(time)s at %(gate)s") % {"time": time, "gate": s.checkpoint.name}
        elif s.date == today:
            text = _("Next shift: today %(time)s at %(gate)s") % {"time": time, "gate": s.checkpoint.name}
        else:
            text = _("Next shift: %(day)s %(time)s at %(gate)s") % {
                "day": day_label(s.date),
                "time": time,
                "gate": s.checkpoint.name,
            }
        strip.shift_words = text
        strip.shift_elsewhere = s.checkpoint_id != gate.pk
    else:
        strip.shift_words = _("No shift in the next %(days)s days.") % {"days": DUTY_LOOKAHEAD_DAYS}
    return strip


# ---- navigation and small lookups ------------------------------------------------------------------


def _nav(user: Any, here: str) -> list[tuple[str, str, bool]]:
    """The roster pages this user's role may open: ``(url, words, current)``."""
    role = role_of(user)
    links: list[tuple[str, str, str]] = []
    if role in GRID_READERS:
        links.append(("rosters", reverse("roster:list"), _("Rosters")))
    if role in COORDINATOR:
        links += [
            ("swaps", reverse("roster:swaps"), _("Swap requests")),
            ("hours", reverse("roster:hours"), _("Duty hours")),
        ]
    if getattr(user, "staff", None) is not None:
        links.append(("mine", reverse("roster:mine"), _("My shifts")))
    if role == Role.GATE_STAFF:
        links.insert(0, ("gate", reverse("gate-home"), _("Gate")))
    if len(links) < 2:
        return []
    return [(url, text, key == here) for key, url, text in links]


def _subdistrict_or_404(user: Any, code: str | None) -> Subdistrict:
    try:
        return get_subdistrict(user, code)
    except ShouwangError:
        raise Http404("subdistrict") from None


def _roster_or_404(user: Any, roster_id: int) -> Roster:
    """:func:`get_roster` as a 404: another sub-district's roster looks like none."""
    try:
        return get_roster(user, roster_id)
    except NotFound:
        raise Http404("roster") from None


def _shift_or_404(roster: Roster, shift_id: Any) -> Shift:
    try:
        return get_shift(roster, int(shift_id))
    except (NotFound, TypeError, ValueError):
        raise Http404("shift") from None


def _swap_or_404(user: Any, swap_id: Any) -> SwapRequest:
    try:
        return get_swap(user, int(swap_id))
    except (NotFound, TypeError, ValueError):
        raise Http404("swap") from None


def _mine_or_404(shifts: list[Shift], shift_id: Any) -> Shift:
    found = next((s for s in shifts if str(s.pk) == str(shift_id)), None)
    if found is None:
        raise Http404("shift")
    return found
