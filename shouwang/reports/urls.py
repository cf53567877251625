"""Pages of the reports app under ``/reports/``: ``<scope>`` is a community's code or ``all``
(the sub-district's roll-up); ``<day>`` a local date ``YYYY-MM-DD``."""

from django.urls import URLPattern, path

from shouwang.reports import views

app_name = "reports"
urlpatterns: list[URLPattern] = [
    path("", views.board_page, name="board"),
    path("<slug:scope>/<str:day>/", views.report_page, name="report"),
    path("<slug:scope>/<str:day>/export.<str:fmt>", views.export_view, name="export"),
]
