from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shouwang.reports"
    label = "reports"
    verbose_name = "Daily reports (日报)"
