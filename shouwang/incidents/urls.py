"""Pages of the incidents app under ``/incidents/``."""

from django.urls import URLPattern, path

from shouwang.incidents import views

app_name = "incidents"
urlpatterns: list[URLPattern] = [
    path("", views.list_page, name="list"),
    path("services/", views.services_page, name="services"),
    path("<str:incident_id>/", views.incident_page, name="incident"),
    path("<str:incident_id>/photo", views.photo_view, name="photo"),
]
