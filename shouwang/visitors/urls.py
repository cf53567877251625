"""Pages of the visitors app under ``/visitors/``."""

from django.urls import URLPattern, path

from shouwang.visitors import views

app_name = "visitors"
urlpatterns: list[URLPattern] = [
    path("", views.today_page, name="today"),
    path("invitations/", views.invitations_page, name="invitations"),
    path("invitations/<str:invitation_id>/", views.invitation_page, name="invitation"),
    path("residents", views.residents_json, name="residents"),
    path("visits/<str:visit_id>/pass.svg", views.pass_svg, name="pass-svg"),
]
