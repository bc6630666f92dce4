from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stabforce.core"
    label = "core"
    verbose_name = "Core: missions, nations, geography, sources"
