"""Pages of the core app besides home: the audit log and reveals."""

from django.urls import path

from shouwang.core import views

urlpatterns = [
    path("audit/", views.audit_page, name="audit"),
    path("audit/export.<str:fmt>", views.audit_export, name="audit-export"),
    path("reveal/", views.reveal_view, name="reveal"),
]
