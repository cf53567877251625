from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "shouwang.roster"
    label = "roster"
    verbose_name = "Duty roster (值守排班)"

    def ready(self) -> None:
        from shouwang.core.messages import register_messages
        from shouwang.roster.messages import ROSTER_MESSAGES
        from shouwang.roster.product_messages import PRODUCT_MESSAGES

        register_messages(ROSTER_MESSAGES)
        register_messages(PRODUCT_MESSAGES)
