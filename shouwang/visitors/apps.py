from django.apps import AppConfig


class VisitorsConfig(AppConfig):
    name = "shouwang.visitors"
    label = "visitors"
    verbose_name = "Visitors and deliveries (访客, 外卖快递)"

    def ready(self) -> None:
        from shouwang.core.messages import register_messages
        from shouwang.visitors.messages import VISITOR_MESSAGES

        register_messages(VISITOR_MESSAGES)
