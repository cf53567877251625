from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shouwang.people"
    label = "people"
    verbose_name = "People (居民, 户, 单位)"
