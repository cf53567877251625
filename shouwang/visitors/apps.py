from django.apps import AppConfig


class VisitorsConfig(AppConfig):
    name = "shouwang.visitors"
    label = "visitors"
    verbose_name = "Visitors and deliveries (访客, 外卖快递)"
