from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "shouwang.privacy"
    label = "privacy"
    verbose_name = "Retention and privacy (数据留存)"
