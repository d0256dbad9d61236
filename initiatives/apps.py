from typing import Any

from axes import apps as axes_apps
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The group whose members record assessments ("statut constaté"). Coordinators declare
# (they are named on their workstreams); observers assess; administrators may do both.
OBSERVERS = "Observateurs"


def ensure_roles(sender: Any, **kwargs: Any) -> None:
    """After every migrate: the observers' group exists and may add assessments. Permissions
    are created by post_migrate too, so this runs after them (our app is installed after
    django.contrib.auth)."""
    from django.contrib.auth.models import Group, Permission

    permission = Permission.objects.filter(
        content_type__app_label="initiatives", codename="add_assessment"
    ).first()
    if permission is None:
        return  # a migrate that stopped before the assessments existed
    group, _created = Group.objects.get_or_create(name=OBSERVERS)
    group.permissions.add(permission)


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Initiatives")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .searchtext import register_sqlite_functions

        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="initiatives.ensure_roles")
        # The embedded SQLite's search folds case and accents with a function of ours.
        connection_created.connect(
            register_sqlite_functions, dispatch_uid="initiatives.sqlite_fold"
        )


class LoginLockoutsConfig(axes_apps.AppConfig):
    """django-axes (login throttling, initiatives/auth.py) under a name that says what its
    admin section holds: the failed logins and the lockouts, not the domain's "axes"
    (workstreams). Installed in its place (settings.INSTALLED_APPS); its label stays "axes"."""

    default = False  # this module's default application is InitiativesConfig
    verbose_name = _("Logins and lockouts")
