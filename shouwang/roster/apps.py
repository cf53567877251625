from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "shouwang.roster"
    label = "roster"
    verbose_name = "Duty roster (值守排班)"
