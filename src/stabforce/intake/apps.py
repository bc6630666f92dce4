from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "stabforce.intake"
    label = "intake"
    verbose_name = "Statement intake"
