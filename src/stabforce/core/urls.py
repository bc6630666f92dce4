"""Core pages. Lists live under their mission (``/missions/<slug>/sectors/``); details are by
primary key (``/sectors/<pk>/``) because the visibility gate, not the URL, decides access.
Detail routes are named ``<model_name>_detail`` so that ``MissionRecord.get_absolute_url``
finds them."""

from django.urls import path

from stabforce.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("missions/<slug:slug>/", views.MissionDashboardView.as_view(), name="mission_detail"),
    path("missions/<slug:slug>/sectors/", views.SectorListView.as_view(), name="sector_list"),
    path(
        "missions/<slug:slug>/crossings/",
        views.CrossingListView.as_view(),
        name="crossing_list",
    ),
    path("missions/<slug:slug>/parties/", views.PartyListView.as_view(), name="party_list"),
    path(
        "missions/<slug:slug>/organisations/",
        views.OrganisationListView.as_view(),
        name="organisation_list",
    ),
    path(
        "missions/<slug:slug>/lines-of-operation/",
        views.LineOfOperationListView.as_view(),
        name="lineofoperation_list",
    ),
    path(
        "missions/<slug:slug>/control-lines/",
        views.ControlLineListView.as_view(),
        name="controlline_list",
    ),
    path("missions/<slug:slug>/sources/", views.SourceListView.as_view(), name="source_list"),
    path("sectors/<int:pk>/", views.SectorDetailView.as_view(), name="sector_detail"),
    path("crossings/<int:pk>/", views.CrossingDetailView.as_view(), name="crossing_detail"),
    path("parties/<int:pk>/", views.PartyDetailView.as_view(), name="party_detail"),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "lines-of-operation/<int:pk>/",
        views.LineOfOperationDetailView.as_view(),
        name="lineofoperation_detail",
    ),
    path(
        "control-lines/<int:pk>/",
        views.ControlLineDetailView.as_view(),
        name="controlline_detail",
    ),
    path("sources/<int:pk>/", views.SourceDetailView.as_view(), name="source_detail"),
    path("nations/", views.NationListView.as_view(), name="nation_list"),
    path("nations/<str:iso3>/", views.NationDetailView.as_view(), name="nation_detail"),
    path("data-sources/", views.DataSourcesView.as_view(), name="data_sources"),
]
