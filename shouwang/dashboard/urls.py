"""Pages of the dashboard app under ``/dashboard/``."""

from django.urls import URLPattern, path

from shouwang.dashboard import views

app_name = "dashboard"
urlpatterns: list[URLPattern] = [
    path("", views.dashboard_page, name="page"),
]
