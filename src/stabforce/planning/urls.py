"""Deployment-planning pages. The scenario list lives under its mission
(``/planning/missions/<slug>/``); scenarios and runs are by primary key because the visibility
gate, not the URL, decides access."""

from django.urls import path

from stabforce.planning import views

app_name = "planning"

urlpatterns = [
    path("missions/<slug:slug>/", views.ScenarioListView.as_view(), name="scenario_list"),
    path("scenarios/<int:pk>/", views.ScenarioDetailView.as_view(), name="scenario_detail"),
    path("scenarios/<int:pk>/runs/", views.StartRunView.as_view(), name="start_run"),
    path("scenarios/<int:pk>/delete/", views.DeleteScenarioView.as_view(), name="delete_scenario"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress/", views.RunProgressView.as_view(), name="run_progress"),
    path("runs/<int:pk>/cancel/", views.CancelRunView.as_view(), name="cancel_run"),
    path("runs/<int:pk>/compare/", views.CompareView.as_view(), name="run_compare"),
    path("runs/<int:pk>/diff/<int:other>/", views.RunDiffView.as_view(), name="run_diff"),
]
