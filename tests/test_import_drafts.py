"""An import draft through importing.drafts, without HTTP: applied once, with the user's
permissions and the digest shown, or nothing written; a correction that does not read as a
document is not saved."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied

from initiatives import importing
from initiatives.models import Citation, ImportDraft, Milestone, Mission, Source, Workstream

from .factories import SOURCE_TEXT, UserFactory, document

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db: None) -> Any:
    return UserFactory(is_staff=True, is_superuser=True)


def a_draft(user: Any) -> ImportDraft:
    return ImportDraft.objects.create(
        title="plan.yaml",
        origin=ImportDraft.Origin.UPLOAD,
        files={
            "plan.yaml": yaml.safe_dump(document(), allow_unicode=True, sort_keys=False),
            "communique.txt": SOURCE_TEXT,
        },
        created_by=user,
    )


def snapshot() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Mission, Workstream, Milestone, Citation, Source, ImportDraft)
    )


def test_a_draft_is_applied_once(admin: Any) -> None:
    draft = a_draft(admin)
    preview = importing.draft_preview(draft)
    assert preview.has_plan and not preview.errors
    plan = importing.draft_apply(draft.pk, preview.digest, admin)
    assert plan.digest() == preview.digest
    assert Mission.objects.filter(key="plan-cloud-souverain").exists()
    written = snapshot()
    with pytest.raises(importing.DraftAlreadyApplied):
        importing.draft_apply(draft.pk, preview.digest, UserFactory(is_superuser=True))
    assert snapshot() == written
    draft.refresh_from_db()
    assert draft.applied_by == admin and draft.applied_at is not None and draft.preview is None


def test_a_user_without_the_permissions_writes_nothing(admin: Any) -> None:
    draft = a_draft(admin)
    digest = importing.draft_preview(draft).digest
    before = snapshot()
    with pytest.raises(PermissionDenied, match="initiatives.add_mission"):
        importing.draft_apply(draft.pk, digest, UserFactory(is_staff=True))
    assert snapshot() == before
    draft.refresh_from_db()
    assert draft.applied_at is None


def test_a_stale_digest_writes_nothing_and_carries_the_new_plan(admin: Any) -> None:
    draft = a_draft(admin)
    digest = importing.draft_preview(draft).digest
    # Someone creates the same mission between the preview and the apply.
    Mission.objects.create(key="plan-cloud-souverain", title="Créée entre-temps")
    before = snapshot()
    with pytest.raises(importing.StalePlanError) as stale:
        importing.draft_apply(draft.pk, digest, admin)
    assert stale.value.current.digest() != digest
    assert snapshot() == before
    assert Mission.objects.get(key="plan-cloud-souverain").title == "Créée entre-temps"
    draft.refresh_from_db()
    assert draft.applied_at is None


def test_a_correction_is_saved_only_if_it_reads_as_a_document(admin: Any) -> None:
    draft = a_draft(admin)
    files = dict(draft.files)
    errors = importing.draft_correct(draft, "plan.yaml", "format: observatoire/1\nmissions: [oops")
    assert errors and all(e.file == "plan.yaml" for e in errors)
    assert draft.files == files
    draft.refresh_from_db()
    assert draft.files == files
    with pytest.raises(KeyError):  # only the draft's documents are corrected
        importing.draft_correct(draft, "autre.yaml", files["plan.yaml"])
    corrected = files["plan.yaml"].replace("Plan pour le cloud souverain", "Plan corrigé", 1)
    assert importing.draft_correct(draft, "plan.yaml", corrected) == []
    draft.refresh_from_db()
    assert draft.files["plan.yaml"] == corrected and draft.preview is None
    assert any(r.label == "Plan corrigé" for r in importing.draft_preview(draft).rows)
