"""Pages of the quarantine app under ``/quarantine/`` (the returnee's own links ``/r/`` and ``/q/``
are in the root URL map)."""

from django.urls import URLPattern, path

from shouwang.quarantine import views

app_name = "quarantine"
urlpatterns: list[URLPattern] = [
    path("", views.worklist_page, name="worklist"),
    path("returnees/new/", views.register_page, name="register"),
    path("divisions", views.divisions_json, name="divisions"),
    path("people", views.people_json, name="people"),
    path("plans/<int:plan_id>/", views.plan_page, name="plan"),
    path("self-reports/", views.self_reports_page, name="self-reports"),
    path("health/", views.health_page, name="health"),
    path("figures/", views.figures_page, name="figures"),
    path("figures.xlsx", views.figures_xlsx, name="figures-xlsx"),
]
