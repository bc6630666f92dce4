"""Force-generation pages. Lists live under their mission (``/forcegen/missions/<slug>/...``);
details are by primary key, named ``<model_name>_detail`` so that
``MissionRecord.get_absolute_url`` finds them. Every page reads ``?as_of=YYYY-MM-DD``."""

from django.urls import path

from stabforce.forcegen import views

app_name = "forcegen"

urlpatterns = [
    path("missions/<slug:slug>/pledges/", views.PledgeListView.as_view(), name="pledge_list"),
    path(
        "missions/<slug:slug>/pledges/export/",
        views.ExportView.as_view(kind="pledges"),
        name="pledge_export",
    ),
    path(
        "missions/<slug:slug>/requirements/",
        views.RequirementListView.as_view(),
        name="requirement_list",
    ),
    path(
        "missions/<slug:slug>/requirements/export/",
        views.ExportView.as_view(kind="requirements"),
        name="requirement_export",
    ),
    path("missions/<slug:slug>/gaps/", views.GapDashboardView.as_view(), name="gaps"),
    path(
        "missions/<slug:slug>/acceptability/",
        views.AcceptabilityView.as_view(),
        name="acceptability",
    ),
    path(
        "missions/<slug:slug>/engagements/",
        views.EngagementListView.as_view(),
        name="engagement_list",
    ),
    path("missions/<slug:slug>/import/", views.ImportView.as_view(), name="import"),
    path("pledges/<int:pk>/", views.PledgeDetailView.as_view(), name="pledge_detail"),
    path(
        "pledges/<int:pk>/status/",
        views.PledgeStatusChangeView.as_view(),
        name="pledge_status_change",
    ),
    path(
        "conditions/<int:pk>/resolve/",
        views.ConditionResolveView.as_view(),
        name="condition_resolve",
    ),
    path(
        "requirements/<int:pk>/", views.RequirementDetailView.as_view(), name="requirement_detail"
    ),
    path("engagements/<int:pk>/", views.EngagementDetailView.as_view(), name="engagement_detail"),
    path("capabilities/<int:pk>/", views.CapabilityDetailView.as_view(), name="capability_detail"),
]
