"""Forms of the core pages: the audit search and a reveal's reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shouwang.core.audit_search import AuditQuery
from shouwang.core.choices import RevealReason
from shouwang.people.choices import DocumentType


class AuditSearchForm(forms.Form):
    """The data-protection officer's filters; every field optional."""

    id_number = forms.CharField(label=_("ID number"), required=False, max_length=64)
    id_type = forms.ChoiceField(
        label=_("Document type"),
        required=False,
        choices=DocumentType.choices,
        initial=DocumentType.RESIDENT_ID,
    )
    resident = forms.IntegerField(label=_("Resident id"), required=False, min_value=1, max_value=2**62)
    staff = forms.CharField(label=_("Staff user name"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From (local date)"), required=False)
    date_to = forms.DateField(label=_("To (local date)"), required=False)
    community = forms.CharField(label=_("Community"), required=False, max_length=40)
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def query(self) -> AuditQuery:
        """The valid form as an :class:`AuditQuery` (call after ``is_valid()``)."""
        d = self.cleaned_data
        return AuditQuery(
            id_number=(d.get("id_number") or "").strip(),
            id_type=d.get("id_type") or DocumentType.RESIDENT_ID,
            resident=d.get("resident"),
            staff=(d.get("staff") or "").strip(),
            action=(d.get("action") or "").strip(),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            community=(d.get("community") or "").strip(),
        )


class RevealForm(forms.Form):
    """What a reveal needs from the page: which record and field, and why."""

    kind = forms.CharField(max_length=20)
    pk = forms.CharField(max_length=64)
    field = forms.CharField(max_length=20, initial="phone")
    reason = forms.ChoiceField(label=_("Why"), choices=[("", "—"), *RevealReason.choices], required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
