"""Retention: delete personal records once their period is over, keeping counts (DESIGN.md §4).

``purge`` is run by a timer (``shouwang purge``, e.g. nightly from cron or a systemd timer). Each
community is cut off in its own local calendar, with its sub-district's policy
(:class:`shouwang.screening.policy.Policy` ``retention_*``). What goes:

- screenings (with the alerts raised at a gate) of local days before ``today - retention_screening_days``;
- visits and deliveries of local days before ``today - retention_visitor_days``, invitations
  for those days, and visitors with no visit or invitation left;
- home-quarantine plans that ended (``ended_on``, else ``last_day``) before
  ``today - retention_quarantine_days``: follow-ups, the follow-up alerts, the plan, the
  returnee record; self-reports submitted before the visitor cut-off.

What stays: residents (the community's register), incidents (a police or health matter with
its own rules), audit logs, duty records, daily reports (their figures are a snapshot), and
:class:`~shouwang.privacy.models.DailyCount` rows that count the deleted screenings, visits and
deliveries per gate, hour and decision — written in the same transaction as the delete.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from shouwang.core.audit import log_action
from shouwang.core.db import write_transaction
from shouwang.places.models import Community
from shouwang.privacy.models import CountKind, DailyCount, PurgeRun
from shouwang.quarantine.models import FollowUp, QuarantinePlan, Returnee, SelfReport
from shouwang.screening.choices import AlertKind
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.screening.policy import Policy
from shouwang.visitors.models import Delivery, Invitation, Visit, Visitor

# The record types a purge deletes, in the order it reports them.
RECORD_TYPES = (
    "screenings",
    "alerts",
    "visits",
    "deliveries",
    "invitations",
    "visitors",
    "follow_ups",
    "quarantine_plans",
    "returnees",
    "self_reports",
)


@dataclass(frozen=True)
class Cutoffs:
    """The first local date each record type of one community is still kept for."""

    screenings: dt.date
    visitors: dt.date
    quarantine: dt.date

    def as_dict(self) -> dict[str, str]:
        return {
            "screenings": self.screenings.isoformat(),
            "visitors": self.visitors.isoformat(),
            "quarantine": self.quarantine.isoformat(),
        }


@dataclass
class PurgeResult:
    """What a purge deleted (or, with ``dry_run``, would delete): rows per record type in
    :data:`RECORD_TYPES`, the cut-offs per community code, and the stored :class:`PurgeRun`
    (``None`` for a dry run, which writes nothing)."""

    dry_run: bool
    deleted: Counter[str] = field(default_factory=Counter)
    cutoffs: dict[str, dict[str, str]] = field(default_factory=dict)
    run: PurgeRun | None = None


def cutoffs_for(community: Community, now: dt.datetime) -> Cutoffs:
    """Cut-off dates of ``community`` at the UTC instant ``now``: a record of an earlier local
    day (or a plan that ended on one) is past its period. A screening of day D is kept through
    D + 28 and goes on D + 29."""
    policy = Policy.from_overrides(community.subdistrict.policy)
    today = community.local_date(now)
    return Cutoffs(
        screenings=today - dt.timedelta(days=policy.retention_screening_days),
        visitors=today - dt.timedelta(days=policy.retention_visitor_days),
        quarantine=today - dt.timedelta(days=policy.retention_quarantine_days),
    )


def purge(*, now: dt.datetime | None = None, dry_run: bool = False, actor: Any = None) -> PurgeResult:
    """Delete every record past its retention period in every community; see the module doc.

    ``now`` is an aware instant (default: now). Each community and local day is its own
    transaction (counts written, rows deleted), so an interrupted purge leaves whole days done
    and the rest untouched; running it again finishes the job. ``actor`` is the user who ran
    it, or ``None`` for a timer. Returns a :class:`PurgeResult`; a real run is stored as a
    :class:`PurgeRun` and in the audit log per community.
    """
    now = now or timezone.now()
    result = PurgeResult(dry_run=dry_run)
    run = None if dry_run else PurgeRun.objects.create(started_at=now, actor=actor)
    communities = Community.objects.select_related("subdistrict").order_by("code")
    for community in communities:
        cut = cutoffs_for(community, now)
        result.cutoffs[community.code] = cut.as_dict()
        counts = _purge_community(community, cut, dry_run=dry_run)
        result.deleted.update(counts)
        if not dry_run and any(counts.values()):
            log_action(
                "privacy.purge",
                actor=actor,
                community=community,
                obj=run,
                cutoffs=cut.as_dict(),
                deleted=dict(counts),
            )
    if run is not None:
        run.cutoffs = result.cutoffs
        run.deleted = {kind: result.deleted.get(kind, 0) for kind in RECORD_TYPES}
        run.finished_at = timezone.now()
        run.save(update_fields=["cutoffs", "deleted", "finished_at"])
        result.run = run
    return result


def _purge_community(community: Community, cut: Cutoffs, *, dry_run: bool) -> Counter[str]:
    counts: Counter[str] = Counter()
    policy = Policy.from_overrides(community.subdistrict.policy)
    screenings = ScreeningEvent.objects.filter(community=community, local_date__lt=cut.screenings)
    visits = Visit.objects.filter(community=community, local_date__lt=cut.visitors)
    deliveries = Delivery.objects.filter(community=community, local_date__lt=cut.visitors)
    if dry_run:
        counts["screenings"] = screenings.count()
        counts["alerts"] = Alert.objects.filter(screening__in=screenings).count()
        counts["visits"] = visits.count()
        counts["deliveries"] = deliveries.count()
    else:
        days = sorted(
            set(screenings.values_list("local_date", flat=True).distinct())
            | set(visits.values_list("local_date", flat=True).distinct())
            | set(deliveries.values_list("local_date", flat=True).distinct())
        )
        for day in days:
            with write_transaction():
                counts += _purge_day(community, day, cut, policy)
    counts += _purge_visitor_records(community, cut, dry_run=dry_run)
    counts += _purge_quarantine(community, cut, dry_run=dry_run)
    return counts


def _purge_day(community: Community, day: dt.date, cut: Cutoffs, policy: Policy) -> Counter[str]:
    """Count, then delete, one local day's screenings, visits and deliveries (one transaction)."""
    counts: Counter[str] = Counter()
    cells: defaultdict[tuple[int, int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    fever = Q(temperature_c__gte=policy.fever_c)
    tables: list[tuple[str, str, QuerySet[Any]]] = []
    if day < cut.screenings:
        tables.append(
            (
                "screenings",
                CountKind.SCREENING,
                ScreeningEvent.objects.filter(community=community, local_date=day),
            )
        )
    if day < cut.visitors:
        tables.append(("visits", CountKind.VISIT, Visit.objects.filter(community=community, local_date=day)))
        tables.append(
            ("deliveries", CountKind.DELIVERY, Delivery.objects.filter(community=community, local_date=day))
        )
    for _name, kind, rows in tables:
        for row in rows.values("checkpoint_id", "local_hour", "decision").annotate(
            n=Count("pk"), fevers=Count("pk", filter=fever)
        ):
            cell = cells[(row["checkpoint_id"], row["local_hour"], str(kind), row["decision"])]
            cell[0] += row["n"]
            cell[1] += row["fevers"]
    if cells:
        existing = {
            (c.checkpoint_id, c.local_hour, c.kind, c.decision): c
            for c in DailyCount.objects.filter(community=community, local_date=day)
        }
        new = []
        for key, (n, fevers) in cells.items():
            if key in existing:
                # A row backdated into an already purged day: add to its count.
                DailyCount.objects.filter(pk=existing[key].pk).update(
                    count=existing[key].count + n, fevers=existing[key].fevers + fevers
                )
            else:
                gate, hour, kind, decision = key
                new.append(
                    DailyCount(
                        community=community,
                        checkpoint_id=gate,
                        local_date=day,
                        local_hour=hour,
                        kind=kind,
                        decision=decision,
                        count=n,
                        fevers=fevers,
                    )
                )
        DailyCount.objects.bulk_create(new)
    for name, _kind, rows in tables:
        _total, per_model = rows.delete()
        counts[name] += per_model.get(rows.model._meta.label, 0)
        counts["alerts"] += per_model.get(Alert._meta.label, 0)
    return counts


def _purge_visitor_records(community: Community, cut: Cutoffs, *, dry_run: bool) -> Counter[str]:
    """Invitations for days past the period, then visitors left with no visit or invitation."""
    counts: Counter[str] = Counter()
    invitations = Invitation.objects.filter(community=community, visit_date__lt=cut.visitors)
    with write_transaction():
        if dry_run:
            counts["invitations"] = invitations.count()
            # Visitors whose every visit and invitation would go.
            keep = Q(visits__local_date__gte=cut.visitors) | Q(invitations__visit_date__gte=cut.visitors)
            counts["visitors"] = (
                Visitor.objects.filter(community=community)
                .exclude(pk__in=Visitor.objects.filter(keep))
                .count()
            )
            return counts
        counts["invitations"] = invitations.delete()[1].get(Invitation._meta.label, 0)
        orphans = Visitor.objects.filter(community=community, visits__isnull=True, invitations__isnull=True)
        counts["visitors"] = (
            Visitor.objects.filter(pk__in=list(orphans.values_list("pk", flat=True)))
            .delete()[1]
            .get(Visitor._meta.label, 0)
        )
    return counts


def _purge_quarantine(community: Community, cut: Cutoffs, *, dry_run: bool) -> Counter[str]:
    """Plans that ended before the quarantine cut-off, with their follow-ups, follow-up alerts and
    returnee record; self-reports submitted before the visitor cut-off."""
    counts: Counter[str] = Counter()
    plans = QuarantinePlan.objects.annotate(ended=Coalesce("ended_on", "last_day")).filter(
        community=community, ended__lt=cut.quarantine
    )
    plan_ids = list(plans.values_list("pk", flat=True))
    start_of_cut = dt.datetime.combine(cut.visitors, dt.time(0), tzinfo=community.tz)
    reports = SelfReport.objects.filter(community=community, submitted_at__lt=start_of_cut)
    follow_up_alerts = Alert.objects.filter(
        community=community,
        kind__in=[AlertKind.FOLLOWUP_FEVER, AlertKind.FOLLOWUP_SYMPTOMS],
        detail__plan__in=plan_ids,
    )
    if dry_run:
        counts["follow_ups"] = FollowUp.objects.filter(plan_id__in=plan_ids).count()
        counts["alerts"] += follow_up_alerts.count() if plan_ids else 0
        counts["quarantine_plans"] = len(plan_ids)
        counts["returnees"] = len(plan_ids)
        counts["self_reports"] = reports.count()
        return counts
    for start in range(0, len(plan_ids), 500):
        batch = plan_ids[start : start + 500]
        with write_transaction():
            returnee_ids = list(
                QuarantinePlan.objects.filter(pk__in=batch).values_list("returnee_id", flat=True)
            )
            counts["alerts"] += (
                Alert.objects.filter(
                    community=community,
                    kind__in=[AlertKind.FOLLOWUP_FEVER, AlertKind.FOLLOWUP_SYMPTOMS],
                    detail__plan__in=batch,
                )
                .delete()[1]
                .get(Alert._meta.label, 0)
            )
            _n, per_model = QuarantinePlan.objects.filter(pk__in=batch).delete()
            counts["follow_ups"] += per_model.get(FollowUp._meta.label, 0)
            counts["quarantine_plans"] += per_model.get(QuarantinePlan._meta.label, 0)
            counts["returnees"] += (
                Returnee.objects.filter(pk__in=returnee_ids).delete()[1].get(Returnee._meta.label, 0)
            )
    with write_transaction():
        counts["self_reports"] = reports.delete()[1].get(SelfReport._meta.label, 0)
    return counts
