from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "stabforce.planning"
    label = "planning"
    verbose_name = "Deployment planning"
