"""Pages of the quarantine app (filled in by the page work)."""

from django.urls import URLPattern

app_name = "quarantine"
urlpatterns: list[URLPattern] = []
