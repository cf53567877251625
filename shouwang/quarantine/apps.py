from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "shouwang.quarantine"
    label = "quarantine"
    verbose_name = "Returnees and home quarantine (返京人员, 居家隔离)"

    def ready(self) -> None:
        from shouwang.core.messages import register_messages
        from shouwang.quarantine.messages import QUARANTINE_MESSAGES

        register_messages(QUARANTINE_MESSAGES)
