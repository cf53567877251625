from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shouwang.reports"
    label = "reports"
    verbose_name = "Daily reports (日报)"

    def ready(self) -> None:
        from shouwang.core.messages import register_messages
        from shouwang.reports.messages import REPORT_MESSAGES

        register_messages(REPORT_MESSAGES)
