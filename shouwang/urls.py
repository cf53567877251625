"""URL map: pages, the JSON API under ``/api/``, and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shouwang.api import api
from shouwang.core import views as core_views
from shouwang.passes import views as pass_views
from shouwang.quarantine import views as quarantine_views
from shouwang.screening import views as gate_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("passes/types/<int:pk>/picture.png", pass_views.pass_type_picture, name="pass-type-picture"),
    path("gate/", gate_views.gate_home, name="gate-home"),
    path("gate/sw.js", gate_views.gate_service_worker, name="gate-service-worker"),
    path("gate/<slug:code>/", gate_views.gate_page, name="gate-page"),
    path("quarantine/", include("shouwang.quarantine.urls")),
    path("visitors/", include("shouwang.visitors.urls")),
    path("incidents/", include("shouwang.incidents.urls")),
    path("roster/", include("shouwang.roster.urls")),
    path("dashboard/", include("shouwang.dashboard.urls")),
    path("reports/", include("shouwang.reports.urls")),
    path("r/<str:token>/", quarantine_views.public_self_report, name="quarantine-self-report"),
    path("q/<str:token>/", quarantine_views.public_follow_up, name="quarantine-own-follow-up"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("shouwang.core.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
