from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "shouwang.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard (数据看板)"
