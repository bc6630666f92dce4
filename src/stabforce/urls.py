from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from stabforce.api import api

admin.site.site_header = "stabforce administration"
admin.site.site_title = "stabforce"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("forcegen/", include("stabforce.forcegen.urls")),
    path("intake/", include("stabforce.intake.urls")),
    path("planning/", include("stabforce.planning.urls")),
    path("", include("stabforce.core.urls")),
]
