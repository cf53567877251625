from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "shouwang.passes"
    label = "passes"
    verbose_name = "Passes (出入证)"
