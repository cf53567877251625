from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "shouwang.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard (数据看板)"

    def ready(self) -> None:
        from shouwang.core.messages import register_messages
        from shouwang.dashboard.messages import DASHBOARD_MESSAGES

        register_messages(DASHBOARD_MESSAGES)
