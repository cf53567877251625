"""A daily report as every reader sees it — the page, the .xlsx, the PDF and the CSV all lay out
the same :class:`ReportDocument`, so they cannot disagree.

``figures`` is the JSON of :meth:`shouwang.dashboard.figures.DayFigures.as_dict` (the snapshot
that went upward, or live figures when ``live``). Keys missing from an older snapshot read as 0,
so a report stored before a figure existed still opens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shouwang.reports.choices import ReportStatus

# (key, 中文, English) of the figures table, in the order a leader reads them.
FIGURE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("screenings_total", "测温查证总人次", "Screenings"),
    ("screenings.admit", "　其中放行", "  admitted"),
    ("screenings.retest", "　其中请复测", "  asked to retest"),
    ("screenings.deny", "　其中禁止通行", "  denied entry"),
    ("screenings.register", "　其中请登记", "  sent to register"),
    ("fevers", "发热人次", "Fevers"),
    ("referrals", "转卫生站", "Referred to the health station"),
    ("visits", "访客登记", "Visitors registered"),
    ("visits_admitted", "　其中放行", "  admitted"),
    ("deliveries", "外卖快递", "Deliveries"),
    ("returnees_new", "新到返京人员", "Returnees arrived"),
    ("in_quarantine", "居家隔离中", "In home quarantine"),
    ("follow_ups_due", "应随访", "Follow-ups due"),
    ("follow_ups_done", "已随访", "Follow-ups done"),
    ("follow_ups_overdue", "逾期未随访", "Follow-ups overdue"),
    ("incidents_new", "新发事件", "Incidents recorded"),
    ("incidents_open", "未结事件", "Incidents open"),
    ("duty_hours", "值守时长（小时）", "Duty hours"),
    ("rostered_hours", "排班时长（小时）", "Rostered hours"),
)

GATE_HEAD: tuple[tuple[str, str], ...] = (
    ("卡口", "Checkpoint"),
    ("社区", "Community"),
    ("总人次", "Total"),
    ("放行", "Admit"),
    ("复测", "Retest"),
    ("转卫生站", "Refer"),
    ("禁止", "Deny"),
    ("登记", "Register"),
    ("高峰（时/人次）", "Peak (h / n)"),
)

COMMUNITY_HEAD: tuple[tuple[str, str], ...] = (
    ("社区", "Community"),
    ("测温查证", "Screenings"),
    ("发热", "Fevers"),
    ("转卫生站", "Referrals"),
    ("访客", "Visitors"),
    ("外卖快递", "Deliveries"),
    ("居家隔离", "Quarantined"),
    ("随访 已/应", "Follow-ups"),
    ("未结事件", "Incidents"),
    ("值守小时", "Duty hours"),
)

STATUS_WORDS: dict[str, tuple[str, str]] = {
    "none": ("未填写", "not written"),
    ReportStatus.DRAFT: ("草稿", "draft"),
    ReportStatus.SUBMITTED: ("已上报", "submitted"),
    ReportStatus.APPROVED: ("已审核", "approved"),
    ReportStatus.RETURNED: ("已退回", "returned"),
}


def status_words(status: str) -> tuple[str, str]:
    """``(中文, English)`` of a report status, ``none`` for a report not written."""
    return STATUS_WORDS.get(status, (status, status))


def figure(figures: dict[str, Any], key: str) -> Any:
    """``figures[a][b]`` for ``"a.b"``; 0 when absent."""
    value: Any = figures
    for part in key.split("."):
        value = value.get(part, 0) if isinstance(value, dict) else 0
    return value if value is not None else 0


def peak(hourly: list[int] | None) -> tuple[int, int] | None:
    """``(local hour, count)`` of the busiest hour, the earliest on a tie; None with no flow."""
    if not hourly or max(hourly) <= 0:
        return None
    top = max(hourly)
    return hourly.index(top), top


@dataclass(frozen=True)
class ReportDocument:
    """Everything a daily report shows. Times are local (aware, the target's zone); ``day`` is a
    local date. ``live`` means the figures are computed now, not a submitted snapshot."""

    subdistrict_name: str
    scope_key: str
    scope_name: str
    day: dt.date
    status: str
    live: bool
    figures: dict[str, Any]
    notes: str
    submitted_by: str
    submitted_at: dt.datetime | None
    reviewed_by: str
    reviewed_at: dt.datetime | None
    review_note: str
    due: dt.datetime
    late: bool
    missing: bool
    generated_at: dt.datetime

    @property
    def title(self) -> str:
        """``西长安街街道 太仆寺街社区 日报`` (the roll-up: ``西长安街街道 日报``)."""
        if self.scope_key == "all":
            return f"{self.subdistrict_name} 日报"
        return f"{self.subdistrict_name} {self.scope_name} 日报"

    @property
    def date_words(self) -> str:
        weekday = "一二三四五六日"[self.day.weekday()]
        return f"{self.day.year} 年 {self.day.month} 月 {self.day.day} 日（星期{weekday}）"

    @property
    def status_zh(self) -> str:
        return status_words(self.status)[0]

    @property
    def status_en(self) -> str:
        return status_words(self.status)[1]

    @property
    def banner(self) -> str:
        """The warning on a document whose figures did not go upward, else ``""``."""
        if not self.live:
            return ""
        return (
            f"未上报（{self.status_zh}）：以下为 {self.generated_at:%Y-%m-%d %H:%M} 的实时数据，"
            f"不是上报的日报。 NOT SUBMITTED ({self.status_en}): live figures as of "
            f"{self.generated_at:%Y-%m-%d %H:%M}."
        )

    @property
    def as_of(self) -> str:
        """When the figures were taken, local ``YYYY-MM-DD HH:MM`` (from the snapshot's ``as_of``)."""
        raw = self.figures.get("as_of")
        if isinstance(raw, str) and raw:
            try:
                at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
                return at.astimezone(self.generated_at.tzinfo).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return raw
        return self.generated_at.strftime("%Y-%m-%d %H:%M")

    def figure_rows(self) -> list[tuple[str, str, Any]]:
        """``(中文, English, value)`` of the figures table."""
        return [(zh, en, figure(self.figures, key)) for key, zh, en in FIGURE_ROWS]

    def gate_rows(self) -> list[list[Any]]:
        """One row a checkpoint, in :data:`GATE_HEAD`'s order; names as recorded."""
        names = {c.get("community"): c.get("name", "") for c in self.figures.get("communities") or []}
        rows: list[list[Any]] = []
        for g in self.figures.get("gates") or []:
            by = g.get("screenings") or {}
            top = peak(g.get("hourly"))
            rows.append(
                [
                    g.get("name", g.get("checkpoint", "")),
                    names.get(g.get("community")) or g.get("community", ""),
                    g.get("total", 0),
                    by.get("admit", 0),
                    by.get("retest", 0),
                    by.get("refer", 0),
                    by.get("deny", 0),
                    by.get("register", 0),
                    f"{top[0]:02d} 时 / {top[1]}" if top else "—",
                ]
            )
        return rows

    def community_rows(self) -> list[list[Any]]:
        """One row a community, in :data:`COMMUNITY_HEAD`'s order."""
        return [
            [
                c.get("name", c.get("community", "")),
                c.get("screenings_total", 0),
                c.get("fevers", 0),
                c.get("referrals", 0),
                c.get("visits", 0),
                c.get("deliveries", 0),
                c.get("in_quarantine", 0),
                f"{c.get('follow_ups_done', 0)}/{c.get('follow_ups_due', 0)}",
                c.get("incidents_open", 0),
                c.get("duty_hours", 0),
            ]
            for c in self.figures.get("communities") or []
        ]

    def sign_off(self) -> list[tuple[str, str, str]]:
        """``(中文, English, value)`` of who submitted and reviewed, and when (local)."""

        def when(at: dt.datetime | None) -> str:
            return at.strftime("%Y-%m-%d %H:%M") if at else ""

        rows = [
            ("状态", "Status", f"{self.status_zh} {self.status_en}"),
            ("截止时间", "Due", when(self.due) + ("（迟报 late）" if self.late else "")),
            ("上报人", "Submitted by", self.submitted_by or "—"),
            ("上报时间", "Submitted at", when(self.submitted_at) or "—"),
        ]
        if self.status in (ReportStatus.APPROVED, ReportStatus.RETURNED):
            verb = (
                ("审核人", "Approved by")
                if self.status == ReportStatus.APPROVED
                else ("退回人", "Returned by")
            )
            rows += [
                (verb[0], verb[1], self.reviewed_by or "—"),
                ("审核时间", "Reviewed at", when(self.reviewed_at) or "—"),
            ]
            if self.review_note:
                rows.append(("审核意见", "Review note", self.review_note))
        rows.append(("数据截至", "Figures as of", self.as_of))
        return rows

    def file_stem(self) -> str:
        """``daily-report-tps-2020-03-01`` (``-live`` when not the submitted report)."""
        return f"daily-report-{self.scope_key}-{self.day.isoformat()}" + ("-live" if self.live else "")
