"""Pages of the reports app under ``/reports/``."""

from django.urls import URLPattern

app_name = "reports"
urlpatterns: list[URLPattern] = []
