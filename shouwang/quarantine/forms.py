"""Forms of the quarantine pages: they check and shape what was typed; the services decide.

A form never saves. The view passes its ``cleaned_data`` (as :class:`PersonIn`, :class:`TripIn`,
…) to a service; a :class:`ShouwangError` it raises is put back on the field it names with
:meth:`ServiceForm.add_service_error`, in the user's language, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, ClassVar

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import ShouwangError, ValidationErrors
from shouwang.people.choices import DocumentType
from shouwang.people.services import ResidentIn
from shouwang.places.divisions import Division, search_divisions
from shouwang.places.models import Community
from shouwang.quarantine.choices import Method, Slot, Symptom, Transport
from shouwang.quarantine.selectors import check_report_day
from shouwang.quarantine.services import PersonIn, TripIn


def current_lang() -> str:
    """``en`` or ``zh-hans``: the page's language, as :func:`shouwang.core.messages.describe` takes it."""
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


def words(label: Any, lang: str | None = None) -> str:
    """One language of a bilingual choice label: ``"火车 train"`` → ``火车`` (zh) or ``train`` (en).

    The quarantine choices carry both languages, Chinese first; a label without a space is
    returned whole.
    """
    text = str(label)
    zh, sep, en = text.partition(" ")
    if not sep:
        return text
    return en if (lang or current_lang()) == "en" else zh


# Document types in the page's language (the model's labels are Chinese only).
DOCUMENT_TYPE_WORDS: dict[str, Any] = {
    DocumentType.RESIDENT_ID: _("Resident ID card"),
    DocumentType.PASSPORT: _("Passport"),
    DocumentType.HKMOTW_RESIDENCE_PERMIT: _("HK/Macau/Taiwan residence permit"),
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: _("Foreigner's permanent residence card"),
    DocumentType.HKMO_TRAVEL_PERMIT: _("HK/Macau travel permit"),
    DocumentType.TW_TRAVEL_PERMIT: _("Taiwan travel permit"),
}


def _choices(choices: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    return [(value, words(label)) for value, label in choices]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class ServiceForm(forms.Form):
    """A form that can show a service's refusal on the field at fault.

    ``field_aliases`` maps a service's ``err.field`` (``arrived_at``, ``division``…) to this
    form's field; an error on a field the form lacks, or on a hidden one, goes to the top.
    """

    field_aliases: ClassVar[dict[str, str]] = {}

    def add_service_error(self, err: ShouwangError) -> None:
        """Attach ``err`` (or each of a :class:`ValidationErrors`) in the user's language."""
        errors = err.errors if isinstance(err, ValidationErrors) else [err]
        lang = current_lang()
        for one in errors:
            name: str | None = self.field_aliases.get(one.field or "", one.field)
            if name not in self.fields or self.fields[name].widget.is_hidden:
                name = None
            self.add_error(name, one.message(lang))


def _decimal_input(placeholder: str = "36.6") -> forms.TextInput:
    """A temperature box that opens the phone's number pad (with a decimal point)."""
    return forms.TextInput(
        attrs={
            "inputmode": "decimal",
            "autocomplete": "off",
            "enterkeyhint": "done",
            "placeholder": placeholder,
            "maxlength": "8",
            "class": "temp-input",
        }
    )


class FollowUpForm(ServiceForm):
    """One follow-up from the worklist (phone call or visit) or the returnee's own link.

    ``temperature`` is kept as typed (``366``, ``36,6``, ``97.9`` °F): the service reads it.
    ``client_id`` makes a retried post one record.
    """

    temperature = forms.CharField(label=_("Temperature °C"), max_length=8, widget=_decimal_input())
    slot = forms.ChoiceField(label=_("Time of day"), widget=forms.RadioSelect)
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"), required=False, widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(label=_("How"), widget=forms.RadioSelect, initial=Method.PHONE)
    replace = forms.BooleanField(label=_("Correct the recorded reading"), required=False)
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, public: bool = False, **kwargs: Any) -> None:
        """``public``: the returnee's own link, where the slot is the hour's and the method is
        ``self``, so neither is asked."""
        super().__init__(*args, **kwargs)
        _choice_field(self, "symptoms").choices = _choices(Symptom.choices)
        if public:
            del self.fields["slot"], self.fields["method"], self.fields["replace"]
            return
        _choice_field(self, "slot").choices = _choices(Slot.choices)
        _choice_field(self, "method").choices = _choices(
            [(Method.PHONE, Method.PHONE.label), (Method.VISIT, Method.VISIT.label)]
        )


class OriginMixin(forms.Form):
    """Where from: a visible type-ahead box (``origin_text``) and the picked GB/T 2260 code
    (``origin``, hidden). Without script, typing a code or a place's exact name still works."""

    origin = forms.CharField(required=False, widget=forms.HiddenInput, max_length=6)
    origin_text = forms.CharField(
        label=_("Coming from (province / city / county)"),
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": _("e.g. 武汉, wuhan, wh"),
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "data-divisions": "1",
            }
        ),
    )

    def origin_code(self) -> str:
        """The code to hand to the service: the picked one, else one the words name exactly
        (a 6-digit code, or the top match when it is the place typed, e.g. 武汉 → 湖北省 武汉市).
        Anything else stays as typed, and the service says "pick it from the list"."""
        code = (self.cleaned_data.get("origin") or "").strip()
        text = " ".join((self.cleaned_data.get("origin_text") or "").split())
        if code:
            return code
        if text.isascii() and text.isdigit():
            return text
        hits = search_divisions(text, limit=2) if text else []
        if hits and (len(hits) == 1 or _names_exactly(hits[0], text)):
            return hits[0].code
        return text


def _names_exactly(division: Division, text: str) -> bool:
    """``text`` is the division's own name: in characters (``武汉市``, ``武汉``, or the whole label)
    or in pinyin (``wuhanshi``, ``wuhan``); initials are too ambiguous (wh: 乌海, 芜湖, 威海…)."""
    compact = text.replace(" ", "").lower()
    names = {division.label.replace(" ", ""), division.name, division.pinyin.split()[-1]}
    names |= {n[:-1] for n in list(names) if len(n) > 2 and n[-1] in "省市区县"}
    names |= {n[: -len(s)] for n in list(names) for s in _SUFFIX_PINYIN if n.isascii() and n.endswith(s)}
    return compact in names


_SUFFIX_PINYIN = ("sheng", "shi", "qu", "xian")


class ArrivalMixin(OriginMixin):
    """Arrival date and time on the community's wall clock, and how they travelled."""

    arrived_date = forms.DateField(
        label=_("Arrival date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    arrived_time = forms.TimeField(
        label=_("Arrival time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    transport = forms.ChoiceField(label=_("Transport"))
    transport_number = forms.CharField(
        label=_("Train / flight number or plate"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "G1234 · CA1234 · 京A12345",
                "autocapitalize": "characters",
            }
        ),
    )
    companions = forms.CharField(
        label=_("Travelling with"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("names, or blank if alone")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "transport").choices = _choices(Transport.choices)

    def arrived_at(self, tz: zoneinfo.ZoneInfo) -> dt.datetime:
        """The aware instant of the local date and time typed, in the community's zone."""
        return dt.datetime.combine(
            self.cleaned_data["arrived_date"], self.cleaned_data["arrived_time"], tzinfo=tz
        )

    def trip_in(self, tz: zoneinfo.ZoneInfo, address: str) -> TripIn:
        return TripIn(
            origin=self.origin_code(),
            arrived_at=self.arrived_at(tz),
            transport=self.cleaned_data["transport"],
            transport_number=self.cleaned_data.get("transport_number") or "",
            address=address,
            companions=self.cleaned_data.get("companions") or "",
        )


_TRIP_ALIASES = {
    "arrived_at": "arrived_date",
    "division": "origin_text",
    "origin": "origin_text",
    "resident": "who",
    "person": "who",
}


class RegisterForm(ArrivalMixin, ServiceForm):
    """Register a returnee: who (a resident picked by name, a resident's ID number, or a new
    person), then the arrival. ``screening`` and ``next`` come from the gate's link."""

    WHO_CHOICES: ClassVar[list[tuple[str, Any]]] = [
        ("resident", _("A resident (search by name)")),
        ("id_number", _("A resident, by ID number")),
        ("new", _("Someone new to the register")),
    ]
    field_aliases: ClassVar[dict[str, str]] = _TRIP_ALIASES

    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), empty_label=None
    )
    who = forms.ChoiceField(
        label=_("Who returned"), choices=WHO_CHOICES, widget=forms.RadioSelect, initial="resident"
    )
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    person_search = forms.CharField(
        label=_("Name or pinyin initials"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": _("e.g. 张三, zhangsan, zs"),
                "data-people": "1",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
            }
        ),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    id_type = forms.ChoiceField(label=_("ID document"), required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address in the community"),
        required=False,
        max_length=200,
        help_text=_("Blank: the resident's household address."),
    )
    screening = forms.UUIDField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args: Any, communities: list[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Community.objects.filter(pk__in=[c.pk for c in communities]).order_by("code")
        if len(communities) == 1:
            field.widget = forms.HiddenInput()
            self.initial.setdefault("community", communities[0].pk)
        _choice_field(self, "id_type").choices = list(DOCUMENT_TYPE_WORDS.items())
        _choice_field(self, "who").choices = [(v, str(label)) for v, label in self.WHO_CHOICES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        who = data.get("who")
        need = {
            "resident": ["resident"],
            "id_number": ["id_number"],
            "new": ["name", "id_number"],
        }.get(str(who), [])
        for name in need:
            if not data.get(name):
                target = "person_search" if name == "resident" else name
                message = (
                    _("Pick the resident from the search results.")
                    if name == "resident"
                    else _("This field is required.")
                )
                self.add_error(target, message)
        return data

    def person_in(self) -> PersonIn:
        """The returnee as the service takes them, by the way chosen in ``who``."""
        data = self.cleaned_data
        id_type = data.get("id_type") or DocumentType.RESIDENT_ID
        if data["who"] == "resident":
            return PersonIn(resident=data["resident"])
        if data["who"] == "id_number":
            return PersonIn(id_number=data["id_number"], id_type=id_type)
        return PersonIn(
            new=ResidentIn(
                name=data["name"],
                id_number=data["id_number"],
                id_type=id_type,
                phone=data.get("phone") or "",
                address=data.get("address") or "",
            )
        )


class SelfReportForm(ArrivalMixin, ServiceForm):
    """The returnee's own report through the community's link: who they are and their arrival."""

    field_aliases: ClassVar[dict[str, str]] = _TRIP_ALIASES

    name = forms.CharField(label=_("Your name"), max_length=100)
    id_type = forms.ChoiceField(label=_("ID document"))
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    phone = forms.CharField(
        label=_("Your mobile phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("Your address in this community"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "street-address", "placeholder": _("lane, number, flat")}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "id_type").choices = list(DOCUMENT_TYPE_WORDS.items())

    def person_in(self) -> ResidentIn:
        data = self.cleaned_data
        return ResidentIn(
            name=data["name"],
            id_number=data["id_number"],
            id_type=data["id_type"],
            phone=data["phone"],
            address=data["address"],
        )


class ReasonForm(ServiceForm):
    """A reason that goes into the audit log (early release, transfer, rejecting a self-report)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ExtendForm(ReasonForm):
    """A later last day (local date, inclusive) and why."""

    field_order = ["last_day", "reason"]
    last_day = forms.DateField(
        label=_("New last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class AssignForm(ServiceForm):
    """Give the plan's follow-ups to another community worker of its community."""

    worker = forms.ChoiceField(label=_("Follow-ups by"))

    def __init__(self, *args: Any, workers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "worker").choices = [(str(pk), name) for pk, name in workers]


class ResolveForm(ServiceForm):
    """What was done about an alert (goes into the audit log)."""

    field_aliases: ClassVar[dict[str, str]] = {"reason": "resolution"}

    resolution = forms.CharField(
        label=_("What was done"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("e.g. re-measured at home 36.8, no referral")}
        ),
    )


class DayForm(forms.Form):
    """A local date picked for the figures (default: today in the community's zone)."""

    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_date(self) -> dt.date | None:
        """A date figures can exist for (see ``selectors.check_report_day``)."""
        day: dt.date | None = self.cleaned_data.get("date")
        if day is not None:
            try:
                check_report_day(day)
            except ShouwangError as err:
                raise forms.ValidationError(err.message(current_lang())) from None
        return day
