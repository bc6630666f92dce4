from django.apps import AppConfig


class ForcegenConfig(AppConfig):
    name = "stabforce.forcegen"
    label = "forcegen"
    verbose_name = "Force generation"

    def ready(self) -> None:
        # The scenario loader learns to read this app's files (capabilities, pledges, ...).
        from stabforce.forcegen import scenario  # noqa: F401
