from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "shouwang.screening"
    label = "screening"
    verbose_name = "Screening (测温查证)"
