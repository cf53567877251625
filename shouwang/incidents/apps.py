from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "shouwang.incidents"
    label = "incidents"
    verbose_name = "Incidents and help given (事件, 便民服务)"

    def ready(self) -> None:
        from shouwang.core.messages import register_messages
        from shouwang.incidents.messages import INCIDENT_MESSAGES

        register_messages(INCIDENT_MESSAGES)
