from django.contrib.auth import views as auth_views
from django.urls import path

from . import assessment_views, edit_views, forecast_views, notification_views, views
from . import as_of_views
from . import calendar_views
from . import follow_views
from . import my_views
from . import search_views
from . import sheet_views
from . import site_views
from . import lineage_views
from .feeds import MissionHistoryFeed
from .opendata import views as opendata_views

app_name = "initiatives"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("missions/", views.mission_list, name="missions"),
    path("frise/", views.timeline, name="timeline"),
    path("lignee/", lineage_views.lineage, name="lineage"),
    path("missions/<slug:key>/", views.mission_detail, name="mission"),
    path(
        "missions/<slug:mission_key>/chantiers/<slug:key>/",
        views.workstream_detail,
        name="workstream",
    ),
    path(
        "missions/<slug:mission_key>/chantiers/<slug:key>/meteo/",
        forecast_views.workstream_forecast,
        name="workstream_forecast",
    ),
    path("missions/<slug:key>/comparer/", as_of_views.mission_compare, name="mission_compare"),
    path("jalons/<int:pk>/", views.milestone_detail, name="milestone"),
    path("sources/<slug:key>/", views.source_detail, name="source"),
    path("jalons/<int:pk>/modifier/", edit_views.milestone_edit, name="milestone_edit"),
    path("jalons/<int:pk>/ligne/", edit_views.milestone_row, name="milestone_row"),
    path("jalons/apercu-echeance/", edit_views.due_preview, name="due_preview"),
    path("jalons/<int:pk>/evaluer/", assessment_views.milestone_assess, name="milestone_assess"),
    path("missions/<slug:key>/evaluer/", assessment_views.mission_assess, name="mission_assess"),
    path("missions/<slug:key>/historique.atom", MissionHistoryFeed(), name="mission_feed"),
    path(
        "missions/<slug:key>/echeances.ics",
        calendar_views.mission_calendar,
        name="mission_calendar",
    ),
    path("missions/<slug:key>/fiche/", sheet_views.mission_sheet, name="mission_sheet"),
    path("missions/<slug:key>/fiche.pdf", sheet_views.mission_sheet_pdf, name="mission_sheet_pdf"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/cloche/", notification_views.bell, name="notification_bell"),
    path("missions/<slug:key>/suivre/", follow_views.follow, name="follow"),
    path("missions-suivies/", follow_views.followed_missions, name="followed_missions"),
    path("mes-jalons/", my_views.my_milestones, name="my_milestones"),
    path("mon-calendrier/", calendar_views.my_calendar, name="my_calendar"),
    # Open to visitors whatever PUBLIC_READ says (middleware.PublicReadMiddleware): the
    # secret address is the key.
    path("calendrier/<slug:token>.ics", calendar_views.user_calendar, name="user_calendar"),
    path("recherche/", search_views.search, name="search"),
    path("plan-du-site/", views.sitemap, name="sitemap"),
    path("accessibilite/", site_views.accessibility, name="accessibility"),
    path("mentions-legales/", site_views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", site_views.privacy, name="privacy"),
    path("methodologie/", views.methodology, name="methodology"),
    path("healthz", views.healthz, name="healthz"),
    path("donnees/", opendata_views.open_data, name="open_data"),
    path("donnees/datapackage.json", opendata_views.datapackage, name="open_data_package"),
    path("donnees/catalogue.jsonld", opendata_views.catalogue, name="open_data_catalogue"),
    path("donnees/<slug:table>.csv", opendata_views.table_csv, name="open_data_csv"),
    path("donnees/<slug:table>/schema.json", opendata_views.table_schema, name="open_data_schema"),
]
