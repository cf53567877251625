from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "shouwang.screening"
    label = "screening"
    verbose_name = "Screening (测温查证)"

    def ready(self) -> None:
        from shouwang.core.messages import register_messages
        from shouwang.screening.messages import SCREENING_MESSAGES

        register_messages(SCREENING_MESSAGES)
