from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("missions/", views.mission_list, name="missions"),
    path("frise/", views.frise, name="frise"),
    path("missions/<slug:key>/", views.mission_detail, name="mission"),
    path("jalons/<int:pk>/", views.milestone_detail, name="milestone"),
    path("sources/<slug:key>/", views.source_detail, name="source"),
    path("plan-du-site/", views.sitemap, name="sitemap"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
]
