from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "shouwang.places"
    label = "places"
    verbose_name = "Places (街道, 社区, 卡口)"
