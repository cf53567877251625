from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "shouwang.incidents"
    label = "incidents"
    verbose_name = "Incidents and help given (事件, 便民服务)"
