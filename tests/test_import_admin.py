"""The admin's import page, with the test client: upload, preview, apply; errors with their
paths and nothing written; a stale preview refused; upload checks; extraction to a draft."""

from __future__ import annotations

import codecs
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

import yaml

from initiatives import importing
from initiatives.models import Citation, ImportDraft, Milestone, Mission, Source, Workstream

from .conftest import FIXTURES
from .factories import SOURCE_TEXT, document

pytestmark = pytest.mark.django_db
ADD = reverse("admin:initiatives_importdraft_add")
EXTRACT = reverse("admin:initiatives_importdraft_extraction")

DOCUMENT = """\
format: observatoire/1
missions:
  - key: essai-import
    title: {title}
    sources: [plan-cloud-nfi-2014]
    citations:
      - {{source: plan-cloud-nfi-2014, quote: "La nouvelle France industrielle affûte son plan Cloud"}}
    workstreams:
      - key: filiere
        title: Structurer la filière Cloud
        citations:
          - {{source: plan-cloud-nfi-2014, quote: "veut structurer la filière Cloud et renforcer l'offre"}}
"""


def upload(client: Client, *files: tuple[str, bytes]) -> object:
    return client.post(
        ADD, {"files": [SimpleUploadedFile(name, content) for name, content in files]}
    )


def preview_url(response: object) -> str:
    assert response.status_code == 302, getattr(response, "content", b"")[:2000]
    return response["Location"]


def digest_of(page: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)


def snapshot() -> tuple[int, int, int, int]:
    return (
        Mission.objects.count(),
        Workstream.objects.count(),
        Citation.objects.count(),
        Source.objects.count(),
    )


def test_upload_preview_then_apply(seeded: None, admin_client: Client) -> None:
    url = preview_url(
        upload(admin_client, ("essai.yaml", DOCUMENT.format(title="Essai d'import").encode()))
    )
    before = snapshot()
    page = admin_client.get(url).content.decode()
    assert "essai-import" in page and '<td class="create">créé</td>' in page
    assert snapshot() == before  # a preview writes nothing
    response = admin_client.post(url, {"apply": "1", "digest": digest_of(page)})
    assert response.status_code == 302
    mission = Mission.objects.get(key="essai-import")
    assert list(mission.workstreams.values_list("key", flat=True)) == ["filiere"]
    assert ImportDraft.objects.get().applied_by.username == "admin"
    # Applied once: a second click applies nothing more.
    again = admin_client.post(url, {"apply": "1", "digest": digest_of(page)}, follow=True)
    assert snapshot() == (before[0] + 1, before[1] + 1, before[2] + 2, before[3])
    assert "Cet import a déjà été appliqué." in again.content.decode()


def test_an_update_is_shown_field_by_field(seeded: None, admin_client: Client) -> None:
    path = FIXTURES / "plan-cloud-nouvelle-france-industrielle.yaml"
    changed = path.read_text(encoding="utf-8").replace(
        "title: Plan Cloud de la Nouvelle France industrielle", "title: Plan Cloud (NFI)", 1
    )
    assert "Plan Cloud (NFI)" in changed
    url = preview_url(upload(admin_client, (path.name, changed.encode())))
    page = admin_client.get(url).content.decode()
    assert (
        "<del>Plan Cloud de la Nouvelle France industrielle</del> → <ins>Plan Cloud (NFI)</ins>"
        in page
    )


def test_an_invalid_upload_lists_its_errors_with_paths_and_writes_nothing(
    seeded: None, admin_client: Client
) -> None:
    before = snapshot()
    # Structure first: a bad key is named by its path.
    bad_key = DOCUMENT.format(title="Essai").replace("key: filiere", "key: Pas Une Clé")
    url = preview_url(upload(admin_client, ("essai.yaml", bad_key.encode())))
    page = admin_client.get(url).content.decode()
    assert "<code>missions[0].workstreams[0].key</code></td><td>doit être une clé" in page
    assert 'name="apply"' not in page
    assert admin_client.post(url, {"apply": "1", "digest": "0" * 64}).status_code == 409
    # Then the references: a quote that is not in its source, and a source that is unknown.
    bad_quote = (
        DOCUMENT.format(title="Essai")
        .replace(
            "La nouvelle France industrielle affûte son plan Cloud", "une phrase absente du texte"
        )
        .replace(
            "sources: [plan-cloud-nfi-2014]", "sources: [plan-cloud-nfi-2014, source-inconnue]"
        )
    )
    url = preview_url(upload(admin_client, ("essai.yaml", bad_quote.encode())))
    page = admin_client.get(url).content.decode()
    errors = dict(re.findall(r"<code>([^<]*)</code></td><td>([^<]*)", page))
    assert errors["missions[0].citations[0].quote"].startswith(
        "citation introuvable mot pour mot"
    ), errors
    assert "source-inconnue" in errors["missions[0].sources[1]"], errors
    assert snapshot() == before


def test_a_stale_preview_is_refused_and_the_new_plan_shown(
    seeded: None, admin_client: Client
) -> None:
    url = preview_url(
        upload(admin_client, ("essai.yaml", DOCUMENT.format(title="Essai d'import").encode()))
    )
    digest = digest_of(admin_client.get(url).content.decode())
    # Someone else imports the same mission between the preview and the apply.
    Mission.objects.create(key="essai-import", title="Créée entre-temps")
    response = admin_client.post(url, {"apply": "1", "digest": digest})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Créée entre-temps" in page and digest_of(page) != digest
    assert Mission.objects.get(key="essai-import").title == "Créée entre-temps"
    assert not Workstream.objects.filter(mission__key="essai-import").exists()
    assert ImportDraft.objects.get().applied_at is None


def test_a_new_source_comes_with_its_text(db: None, admin_client: Client) -> None:
    referentiel = (FIXTURES / "referentiel.yaml").read_bytes()
    texts = [(p.name, p.read_bytes()) for p in sorted((FIXTURES / "sources").glob("*.txt"))]
    url = preview_url(upload(admin_client, ("referentiel.yaml", referentiel), *texts))
    page = admin_client.get(url).content.decode()
    admin_client.post(url, {"apply": "1", "digest": digest_of(page)})
    assert Source.objects.count() == 5
    # Without its text, a source is refused with the file it needs.
    url = preview_url(
        upload(admin_client, ("referentiel.yaml", referentiel.replace(b"Cloud", b"Nuage")))
    )
    assert "usine-digitale-2020-08-05.txt" in admin_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [("essai.pdf", b"%PDF-1.4")],
            "essai.pdf : seuls les fichiers .yaml, .yml, .json et .txt sont acceptés.",
        ),
        (
            [("essai.yaml", "title: Équipe".encode("latin-1"))],
            "essai.yaml n’est pas encodé en UTF-8",
        ),
        ([("essai.yaml", b"format: x\x00\x01")], "essai.yaml n’est pas un fichier texte"),
        ([("texte.txt", b"Un texte seul")], "Envoyez au moins un document de données"),
        (
            [(f"d{n}.yaml", b"format: observatoire/1") for n in range(21)],
            "21 fichiers envoyés ; 20 au plus à la fois.",
        ),
        (
            [("gros.txt", b"a" * 5_000_001), ("essai.yaml", b"format: observatoire/1")],
            "gros.txt est trop volumineux (5.0 Mo ; 5 Mo au plus).",
        ),
        (
            [("a.yaml", b"format: observatoire/1"), ("a.yaml", b"format: observatoire/1")],
            "a.yaml est envoyé deux fois.",
        ),
    ],
)
def test_uploads_are_checked_with_clear_french_messages(
    db: None, admin_client: Client, files: list[tuple[str, bytes]], message: str
) -> None:
    response = admin_client.post(ADD, {"files": [SimpleUploadedFile(n, c) for n, c in files]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportDraft.objects.exists()


def test_script_in_a_document_is_stored_as_text_and_rendered_escaped(
    seeded: None, admin_client: Client
) -> None:
    title = "<script>alert('x')</script> Essai"
    url = preview_url(
        upload(admin_client, ("essai.yaml", DOCUMENT.format(title=f'"{title}"').encode()))
    )
    page = admin_client.get(url).content.decode()
    assert "<script>alert(" not in page and "&lt;script&gt;alert(" in page
    admin_client.post(url, {"apply": "1", "digest": digest_of(page)})
    assert Mission.objects.get(key="essai-import").title == title
    public = Client().get(reverse("initiatives:mission", args=["essai-import"])).content.decode()
    assert "<script>alert(" not in public and "&lt;script&gt;alert(" in public


def test_the_import_page_is_for_staff_only(seeded: None, client: Client) -> None:
    assert client.get(ADD).status_code == 302  # to the admin login
    user = get_user_model().objects.create_user("agent", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(ADD).status_code == 403
    assert client.get(EXTRACT).status_code == 403
    draft = ImportDraft.objects.create(
        title="t", origin="upload", files={"a.yaml": "format: observatoire/1"}
    )
    assert (
        client.post(
            reverse("admin:initiatives_importdraft_change", args=[draft.pk]), {"apply": "1"}
        ).status_code
        == 403
    )


def test_a_draft_document_is_corrected_on_the_preview_page(
    seeded: None, admin_client: Client
) -> None:
    url = preview_url(upload(admin_client, ("essai.yaml", DOCUMENT.format(title="Essai").encode())))
    # A broken correction is refused, and what was typed stays in the box.
    typed = "format: observatoire/1\nmissions: [oops"
    response = admin_client.post(url, {"save": "1", "name": "essai.yaml", "text": typed})
    page = response.content.decode()
    assert response.status_code == 400 and "missions: [oops" in page
    assert "YAML ou JSON non valide" in page  # and why it was not saved
    # The draft itself is unchanged, so its plan still previews.
    assert (
        ImportDraft.objects.get()
        .files["essai.yaml"]
        .startswith("format: observatoire/1\nmissions:\n")
    )
    fixed = DOCUMENT.format(title="Essai corrigé")
    admin_client.post(url, {"save": "1", "name": "essai.yaml", "text": fixed})
    assert "Essai corrigé" in admin_client.get(url).content.decode()


def test_extraction_drafts_a_document_that_opens_in_the_preview(
    seeded: None, admin_client: Client
) -> None:
    text = (
        (FIXTURES / "sources" / "strategie-nationale-cloud-2021.txt")
        .read_text(encoding="utf-8")
        .replace("stratégie nationale pour le Cloud", "stratégie nationale pour le Cloud souverain")
    )
    response = admin_client.post(
        EXTRACT, {"text": text, "published": "2021-05-17", "publisher": "Adwanted"}
    )
    url = preview_url(response)
    draft = ImportDraft.objects.get()
    assert draft.origin == "extraction" and len(draft.texts) == 1
    page = admin_client.get(url).content.decode()
    assert "Stratégie nationale pour le Cloud souverain" in page
    before = snapshot()
    admin_client.post(url, {"apply": "1", "digest": digest_of(page)})
    mission = Mission.objects.get(title="Stratégie nationale pour le Cloud souverain")
    assert mission.workstreams.count() == 3 and snapshot()[3] == before[3] + 1
    assert Citation.objects.filter(mission=mission).exists()


def test_extraction_form_keeps_what_was_typed(db: None, admin_client: Client) -> None:
    response = admin_client.post(EXTRACT, {"text": "Un article.", "published": "le 5 août"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Un article." in page and "le 5 août" in page
    assert not ImportDraft.objects.exists()


def test_applying_takes_the_permissions_of_what_the_plan_writes(
    seeded: None, client: Client
) -> None:
    from django.contrib.auth.models import Permission

    clerk = get_user_model().objects.create_user("greffier", password="x", is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(
            codename__in=["add_importdraft", "change_importdraft", "view_importdraft"]
        )
    )
    client.force_login(clerk)
    url = preview_url(upload(client, ("essai.yaml", DOCUMENT.format(title="Essai").encode())))
    page = client.get(url).content.decode()
    assert "initiatives.add_mission" in page and 'name="apply"' not in page
    assert client.post(url, {"apply": "1", "digest": "0" * 64}).status_code == 403
    assert not Mission.objects.filter(key="essai-import").exists()


def test_a_preview_covers_what_created_rows_hold(seeded: None, admin_client: Client) -> None:
    url = preview_url(
        upload(admin_client, ("essai.yaml", DOCUMENT.format(title="Essai vu").encode()))
    )
    digest = digest_of(admin_client.get(url).content.decode())
    # The draft is corrected in another tab after this preview: the new title was never shown.
    draft = ImportDraft.objects.get()
    draft.files = {"essai.yaml": DOCUMENT.format(title="Essai jamais vu")}
    draft.save()
    assert admin_client.post(url, {"apply": "1", "digest": digest}).status_code == 409
    assert not Mission.objects.filter(key="essai-import").exists()


def test_a_document_of_aliases_that_explodes_is_refused_at_once(
    db: None, admin_client: Client
) -> None:
    # Nine levels of nine aliases: ~300 bytes that would expand to 387 million values.
    lines = ["format: observatoire/1", 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    url = preview_url(upload(admin_client, ("bombe.yaml", "\n".join(lines).encode())))
    page = admin_client.get(url).content.decode()
    assert "trop volumineux une fois ses alias" in page
    cyclic = preview_url(
        upload(admin_client, ("boucle.yaml", b"format: observatoire/1\nmissions: &m [*m]\n"))
    )
    assert admin_client.get(cyclic).status_code == 200


# --- Values the YAML loader cannot build: an error with its path at every step, never a 500 ---

IMPOSSIBLE_DATE = DOCUMENT.replace(
    "title: Structurer la filière Cloud", "title: !!timestamp 2026-02-30"
)


def test_a_value_python_cannot_hold_is_an_error_with_its_path_at_every_step(
    seeded: None, admin_client: Client
) -> None:
    before = snapshot()
    # Upload: the draft is kept, and its preview names the value and where it stands, each time.
    url = preview_url(
        upload(admin_client, ("essai.yaml", IMPOSSIBLE_DATE.format(title="Essai").encode()))
    )
    for _view in range(2):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert (
            "<code>missions[0].workstreams[0].title</code></td><td>date ou heure impossible : &quot;2026-02-30&quot;"
            in response.content.decode()
        )
    # Correction: a 5,000-digit number is refused with its path, and not saved.
    response = admin_client.post(
        url, {"save": "1", "name": "essai.yaml", "text": DOCUMENT.format(title="9" * 5000)}
    )
    assert response.status_code == 400
    assert (
        "essai.yaml: missions[0].title: nombre trop grand (plus de 4300 chiffres)"
        in response.content.decode()
    )
    assert "2026-02-30" in ImportDraft.objects.get().files["essai.yaml"]
    # Apply (a draft kept from before this check, or edited in the database): refused, with its errors.
    ImportDraft.objects.update(
        files={"essai.yaml": DOCUMENT.format(title="!!timestamp 2026-13-01")}
    )
    response = admin_client.post(url, {"apply": "1", "digest": "0" * 64})
    assert response.status_code == 409
    assert (
        "<code>missions[0].title</code></td><td>date ou heure impossible"
        in response.content.decode()
    )
    assert snapshot() == before


# --- Size: a document is weighed before it is read, and its plan is kept with the draft ------------

BIG = "format: observatoire/1\n# " + "x" * importing.MAX_DOCUMENT_BYTES + "\n"


def test_a_document_over_the_byte_cap_is_refused_at_upload_naming_the_cap(
    db: None, admin_client: Client
) -> None:
    response = upload(admin_client, ("gros.yaml", BIG.encode()))
    assert response.status_code == 200
    assert (
        "gros.yaml est trop volumineux pour un document de données (4.0 Mo ; 4 Mo au plus, soit environ "
        "200 000 valeurs) : découpez-le en plusieurs documents."
    ) in response.content.decode()
    assert not ImportDraft.objects.exists()
    # A draft kept from before the cap previews with the same reason, not after a long parse.
    draft = ImportDraft.objects.create(title="gros", origin="upload", files={"gros.yaml": BIG})
    page = admin_client.get(
        reverse("admin:initiatives_importdraft_change", args=[draft.pk])
    ).content.decode()
    assert "trop volumineux (4.0 Mo ; un document de données pèse 4 Mo au plus" in page


def test_the_plan_is_kept_with_the_draft_until_the_documents_or_the_data_change(
    seeded: None, admin_client: Client
) -> None:
    url = preview_url(
        upload(admin_client, ("essai.yaml", DOCUMENT.format(title="Essai gardé").encode()))
    )
    first = admin_client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = admin_client.get(url).content.decode()
    # Planning reads every source and mission; a second view of the same plan reads none.
    assert not [
        q["sql"]
        for q in queries
        if "initiatives_source" in q["sql"] or "initiatives_mission" in q["sql"]
    ]
    assert "Essai gardé" in again and digest_of(again) == digest_of(first)
    # A corrected document is a new plan.
    admin_client.post(
        url, {"save": "1", "name": "essai.yaml", "text": DOCUMENT.format(title="Essai corrigé")}
    )
    corrected = admin_client.get(url).content.decode()
    assert "Essai corrigé" in corrected and "Essai gardé" not in corrected
    # So is a change to the published data: a kept plan is only shown for the data it was built on.
    Mission.objects.create(key="essai-import", title="Créée entre-temps")
    moved = admin_client.get(url).content.decode()
    assert "<del>Créée entre-temps</del> → <ins>Essai corrigé</ins>" in moved
    # Applying still builds its own plan, and refuses one that is no longer the one shown.
    assert admin_client.post(url, {"apply": "1", "digest": digest_of(corrected)}).status_code == 409
    assert admin_client.post(url, {"apply": "1", "digest": digest_of(moved)}).status_code == 302
    assert Mission.objects.get(key="essai-import").title == "Essai corrigé"
    # The list of imports does not load what each draft holds, but still lists them.
    listing = admin_client.get(reverse("admin:initiatives_importdraft_changelist"))
    assert listing.status_code == 200 and "essai.yaml" in listing.content.decode()


# --- Encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
    ids=["le", "be"],
)
def test_a_utf16_upload_imports_as_its_utf8_version(
    seeded: None, admin_client: Client, bom: bytes, codec: str
) -> None:
    text = DOCUMENT.format(title="Essai « UTF-16 » – l’été")
    note = "Une note d’accompagnement, en français.\n"
    url8 = preview_url(
        upload(admin_client, ("essai.yaml", text.encode()), ("note.txt", note.encode()))
    )
    url16 = preview_url(
        upload(
            admin_client,
            ("essai.yaml", bom + text.encode(codec)),
            ("note.txt", bom + note.encode(codec)),
        )
    )
    utf8, utf16 = ImportDraft.objects.order_by("pk")
    assert utf16.files == utf8.files
    page = admin_client.get(url16).content.decode()
    assert digest_of(page) == digest_of(admin_client.get(url8).content.decode())
    assert admin_client.post(url16, {"apply": "1", "digest": digest_of(page)}).status_code == 302
    assert Mission.objects.get(key="essai-import").title == "Essai « UTF-16 » – l’été"


def test_a_cp1252_upload_is_refused_naming_its_encoding(db: None, admin_client: Client) -> None:
    raw = "format: observatoire/1\nmissions: [{key: a, title: « L’équipe – 5 € »}]\n".encode(
        "cp1252"
    )
    response = upload(admin_client, ("essai.yaml", raw))
    assert response.status_code == 200
    assert (
        "essai.yaml n’est pas encodé en UTF-8 : il semble encodé en Windows-1252 (ou ISO-8859-1). "
        "Enregistrez-le en « texte UTF-8 » et envoyez-le de nouveau."
    ) in response.content.decode()
    assert not ImportDraft.objects.exists()


# --- What a reviewer needs: the windows read, every error at once, at its line, in French ----


def as_upload(doc: dict) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def plan_rows(page: str) -> dict[str, list[str]]:
    """The plan's table: each row's cells (tags stripped), by the object's key."""
    body = re.search(r'<table class="import-plan">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[re.search(r"<code>([^<]*)</code>", row).group(1)] = cells
    return rows


def test_the_preview_shows_the_window_the_due_words_of_each_new_or_changed_milestone_get(
    db: None, admin_client: Client
) -> None:
    doc = document()
    url = preview_url(
        upload(
            admin_client, ("essai.yaml", as_upload(doc)), ("communique.txt", SOURCE_TEXT.encode())
        )
    )
    page = admin_client.get(url).content.decode()
    rows = plan_rows(page)
    # Read against the day the source was published (10 March 2025), as the words say.
    assert rows["plan-cloud-souverain / premieres-offres"][3] == (
        "« d&#x27;ici fin 2025 » : du 1er janvier 2025 au 31 décembre 2025 (année), lu au 10 mars 2025"
    )
    assert rows["plan-cloud-souverain / bilan"][3] == (
        "« au premier semestre 2026 » : du 1er janvier 2026 au 30 juin 2026 (semestre), lu au 10 mars 2025"
    )
    assert rows["plan-cloud-souverain"][3] == ""  # a mission has no due window
    assert admin_client.post(url, {"apply": "1", "digest": digest_of(page)}).status_code == 302
    # The same document with a date misread (its year lost, read against the wrong day): the
    # changed milestone shows where it lands.
    milestone = doc["missions"][0]["workstreams"][0]["milestones"][1]
    milestone["due"] = {"text": "au premier semestre", "reference": "2027-01-05"}
    url = preview_url(
        upload(
            admin_client, ("essai.yaml", as_upload(doc)), ("communique.txt", SOURCE_TEXT.encode())
        )
    )
    rows = plan_rows(admin_client.get(url).content.decode())
    assert list(rows) == ["plan-cloud-souverain / bilan"]  # the others are unchanged
    assert rows["plan-cloud-souverain / bilan"][3] == (
        "« au premier semestre » : du 1er janvier 2027 au 30 juin 2027 (semestre), lu au 5 janvier 2027"
    )


def test_structure_and_quote_errors_are_reported_at_once_with_their_lines(
    db: None, admin_client: Client
) -> None:
    doc = document()
    mission = doc["missions"][0]
    milestones = mission["workstreams"][0]["milestones"]
    mission["status"] = "en cours"  # structure
    mission["citations"][0]["quote"] = "une phrase absente du texte"  # a quote
    milestones[0]["key"] = "Pas Une Clé"  # structure: this milestone cannot be read
    milestones[1]["citations"][0]["quote"] = "une autre phrase absente"  # a quote after it
    text = as_upload(doc).decode()
    url = preview_url(
        upload(
            admin_client, ("essai.yaml", text.encode()), ("communique.txt", SOURCE_TEXT.encode())
        )
    )
    page = admin_client.get(url).content.decode()
    errors = re.findall(
        r'<tr><td>essai.yaml</td><td class="line">(\d+)</td><td><code>([^<]*)</code></td><td>([^<]*)</td></tr>',
        page,
    )
    missing = "citation introuvable mot pour mot dans la source « communique-test » : "
    # In the order of the lines (the status, added last, is written last).
    assert [(int(line), path, message) for line, path, message in errors] == sorted(
        [
            (
                line_of(text, "status: en cours"),
                "missions[0].status",
                escape(
                    "doit être l'une des valeurs suivantes : 'announced', 'launched', 'completed' ou 'abandoned'"
                ),
            ),
            (
                line_of(text, "quote: une phrase absente du texte"),
                "missions[0].citations[0].quote",
                escape(missing + "« une phrase absente du texte »"),
            ),
            (
                line_of(text, "key: Pas Une Clé"),
                "missions[0].workstreams[0].milestones[0].key",
                "doit être une clé : lettres minuscules, chiffres et tirets isolés",
            ),
            (
                line_of(text, "quote: une autre phrase absente"),
                "missions[0].workstreams[0].milestones[1].citations[0].quote",
                escape(missing + "« une autre phrase absente »"),
            ),
        ]
    ), page[:6000]
    assert "4 erreurs" in page and 'name="apply"' not in page
    assert not Mission.objects.exists() and not Milestone.objects.exists()


def test_a_document_that_is_not_yaml_says_why_in_french_at_its_line(
    db: None, admin_client: Client
) -> None:
    broken = "format: observatoire/1\nmissions:\n  - key: essai\n    title: Bilan: à venir\n"
    url = preview_url(upload(admin_client, ("essai.yaml", broken.encode())))
    page = admin_client.get(url).content.decode()
    problem = escape(
        "YAML ou JSON non valide : deux-points suivis d’une espace dans une valeur : "
        "mettez la valeur entre guillemets, ou vérifiez l’indentation"
    )
    assert f'<td class="line">4</td><td><code>ligne 4</code></td><td>{problem}</td>' in page
    assert "mapping values" not in page  # libyaml's own words
    # A correction that does not read keeps what was typed, and says where and why.
    response = admin_client.post(url, {"save": "1", "name": "essai.yaml", "text": broken})
    assert response.status_code == 400
    assert f"essai.yaml: ligne 4: {problem} (ligne 4)" in response.content.decode()
