"""Bookkeeping: the history of writes, who writes (SQLite), the data version, import
drafts, and ProConnect identities."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


# The writes made by people (an edit page, the admin): news of a mission. Imports and the
# sweep write too, but they are bookkeeping.
NEWS_VIA = ("edit", "admin", "sheet", "assessment")
# The rows whose changes by people reach the followers of their mission (notify_followers).
FOLLOWED_TABLES = ("initiatives_mission", "initiatives_milestone")


class HistoryEntry(models.Model):
    """One committed write to a mission, workstream or milestone, recorded by a database
    trigger (history.py): the whole row before and after, who, and through what."""

    class Action(models.TextChoices):
        INSERT = "insert", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    table_name = models.CharField(_("table"), max_length=63)
    row_id = models.BigIntegerField(_("row"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        # The trigger writes raw ids; a deleted account leaves its changes, unsigned.
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
    )
    via = models.CharField(_("through"), max_length=20)
    old = models.JSONField(_("before"), null=True, blank=True)
    new = models.JSONField(_("after"), null=True, blank=True)
    # When the followers of its mission were told of it (services.notify_followers claims
    # it), for a person's change of a mission or milestone; never set on the others.
    notified_at = models.DateTimeField(_("followers told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["-pk"]
        indexes = [
            # The changes whose followers are still to be told: what changed since the last
            # run, whatever the size of the history.
            models.Index(
                fields=["id"],
                name="history_untold_idx",
                condition=Q(
                    notified_at__isnull=True,
                    action="update",
                    via__in=NEWS_VIA,
                    table_name__in=FOLLOWED_TABLES,
                ),
            ),
            models.Index(fields=["table_name", "row_id", "-id"], name="history_row_idx"),
            # A mission's last news: the changes people made (selectors.with_news), a small
            # part of the history next to what imports and the sweep write.
            models.Index(
                fields=["table_name", "row_id", "at"],
                name="history_news_idx",
                condition=Q(via__in=NEWS_VIA),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table_name} {self.row_id} {self.action} ({self.at:%Y-%m-%d %H:%M})"


class WriteContext(models.Model):
    """SQLite only: who writes in the current transaction, for the history triggers
    (PostgreSQL keeps it in transaction-local settings). Written and cleared inside it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    actor_id = models.BigIntegerField(null=True)
    via = models.CharField(max_length=20)


class ProConnectIdentity(models.Model):
    """What ProConnect says of an agent who logged in through it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proconnect"
    )
    uid = models.CharField(_("ProConnect identifier"), max_length=255)
    siret = models.CharField(_("SIRET of the organisation"), max_length=14, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ProConnect identity")
        verbose_name_plural = _("ProConnect identities")

    def __str__(self) -> str:
        return f"{self.user} ({self.siret or '—'})"


class ImportDraft(models.Model):
    """Files an administrator brought in (fixture documents and the source texts they cite,
    uploaded or drafted by extraction from an article), held for review: nothing of them is
    published until someone applies the plan they were shown. Kept afterwards as a record."""

    class Origin(models.TextChoices):
        UPLOAD = "upload", _("upload")
        EXTRACTION = "extraction", _("extraction from an article")

    title = models.CharField(_("title"), max_length=300)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    # name -> text: documents (.yaml, .yml, .json) and the texts they cite (.txt).
    files = models.JSONField(_("files"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    # The preview as last shown (importing.draft_preview), with what it was built from:
    # reading a large document again on every view would take seconds.
    preview = models.JSONField(_("preview"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def documents(self) -> dict[str, str]:
        return {n: t for n, t in self.files.items() if not n.lower().endswith(".txt")}

    @property
    def texts(self) -> dict[str, str]:
        return {n: t for n, t in self.files.items() if n.lower().endswith(".txt")}


class DataVersion(models.Model):
    """A single row whose number changes with every committed write to the published data.

    Database triggers bump it (see dataversion.py); the pages key their cache on it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.BigIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("data version")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="data_version_single_row")]

    def __str__(self) -> str:
        return f"{self.version} ({self.changed_at:%Y-%m-%d %H:%M})"
