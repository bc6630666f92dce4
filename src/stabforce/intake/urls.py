"""Pages of the intake queue, under /intake/."""

from django.urls import path

from stabforce.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("submit/", views.submit, name="submit"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("updates/<int:pk>/accept/", views.accept, name="accept"),
    path("updates/<int:pk>/reject/", views.reject, name="reject"),
]
