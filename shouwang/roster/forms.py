"""Forms of the roster pages: they check and shape what was typed; the services decide.

A form never saves. The view passes its ``cleaned_data`` to a service of
:mod:`shouwang.roster.services`; a :class:`~shouwang.core.errors.ShouwangError` it raises is put
back on the field it names (``ServiceForm.add_service_error``, in the page's language), and
nothing is stored. Choices of people, gates, dates and shifts are given by the view (from the
selectors), as ``(value, words)`` pairs; a value that is not among them is refused here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from shouwang.core.messages import describe
from shouwang.quarantine.forms import ServiceForm, current_lang

PAGE_TIME_LIMIT_MAX = 60.0
"""Seconds: a solve from a page holds a web worker (the API's cap; longer ones via the CLI)."""
MAX_REPORT_DAYS = 366

Choices = Sequence[tuple[str, str]]


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class _TimeLimitMixin(forms.Form):
    time_limit_s = forms.FloatField(
        label=_("Time limit (seconds)"),
        initial=10,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "1", "max": "60"}),
        help_text=_("A limit, not a target: small rosters are done in a second."),
    )
    soft_coverage = forms.BooleanField(
        label=_("Soft coverage: leave slots empty (and list them) rather than fail"), required=False
    )

    def clean_time_limit_s(self) -> float:
        value: float = self.cleaned_data["time_limit_s"]
        if not 0 < value <= PAGE_TIME_LIMIT_MAX:
            raise forms.ValidationError(
                describe("roster_time_limit_range", current_lang(), high=int(PAGE_TIME_LIMIT_MAX))
            )
        return value


class SolveForm(_TimeLimitMixin, ServiceForm):
    """A new horizon: first local date and number of days (the service checks the range, the
    past and overlaps with other rosters, and says so in words)."""

    field_aliases: ClassVar[dict[str, str]] = {"subdistrict": ""}

    start = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    days = forms.IntegerField(
        label=_("Days"), initial=7, widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"})
    )

    field_order = ["start", "days", "time_limit_s", "soft_coverage"]


class ResolveForm(_TimeLimitMixin, ServiceForm):
    """Re-solve the same horizon around the locked Shifts; ``keep_current`` (ticked unless the
    coordinator unticks it) keeps as much of the present Roster as the rules allow."""

    field_aliases: ClassVar[dict[str, str]] = {"start": "", "days": "", "subdistrict": ""}

    keep_current = forms.BooleanField(
        label=_("Keep the present roster where the rules allow: move as few shifts as possible"),
        required=False,
        initial=True,
    )

    field_order = ["time_limit_s", "keep_current", "soft_coverage"]


class AssignForm(ServiceForm):
    """Put a person in a cell by hand: person, gate, local date and shift, each picked from the
    roster's own lists (Staff pk, Checkpoint code, ISO date, template code)."""

    field_aliases: ClassVar[dict[str, str]] = {"template": "shift"}

    staff = forms.ChoiceField(label=_("Person"))
    checkpoint = forms.ChoiceField(label=_("Gate"))
    date = forms.ChoiceField(label=_("Date"))
    shift = forms.ChoiceField(label=_("Shift"))

    def __init__(
        self,
        *args: Any,
        people: Choices,
        gates: Choices,
        dates: Choices,
        shifts: Choices,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        _choice(self, "staff").choices = [*blank, *people]
        _choice(self, "checkpoint").choices = [*blank, *gates]
        _choice(self, "date").choices = list(dates)
        _choice(self, "shift").choices = list(shifts)

    def clean_date(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["date"])


class SwapForm(ServiceForm):
    """Offer one's own Shift: to a named colleague (Staff pk) or to anyone (empty: the
    coordinator picks), with a reason."""

    to_staff = forms.ChoiceField(label=_("To whom"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. medical appointment")}),
    )

    def __init__(self, *args: Any, colleagues: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "to_staff").choices = [("", _("Anyone (the coordinator picks)")), *colleagues]


class DecideForm(ServiceForm):
    """The coordinator's decision on a swap: who takes an offer that names nobody (Staff pk),
    and a note."""

    to_staff = forms.ChoiceField(label=_("Who takes the shift"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, people: Choices | None = None, **kwargs: Any) -> None:
        """``people`` None: the swap already names the person, so the field is left out."""
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["to_staff"]
        else:
            _choice(self, "to_staff").choices = [("", "—"), *people]


class RangeForm(forms.Form):
    """``?from=&to=``: local dates, both optional (the view fills the defaults); at most a year."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``from`` is a Python keyword, so the fields are named here, as the URL spells them.
        self.fields["from"] = forms.DateField(
            label=_("First date"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["to"] = forms.DateField(
            label=_("Last date"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end:
            lang = current_lang()
            if end < start:
                self.add_error(
                    "to", describe("duty_range_invalid", lang, start=start.isoformat(), end=end.isoformat())
                )
            elif (end - start).days >= MAX_REPORT_DAYS:
                self.add_error("to", describe("duty_range_too_long", lang, days=MAX_REPORT_DAYS))
        return data
