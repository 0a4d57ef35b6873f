"""Labels as data: every fixed word from a catalogue, in English, German and Spanish, with dates
in each language's own form; packs that override a label or add a language."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from guidegen.labels import _flatten, label_keys
from guidegen.paths import LABELS_DIR
from tests.conftest import DATA, run_cli
from tests.pdfread import Workbook

TINY = DATA / "tiny"


def catalogues() -> list[Path]:
    return sorted(LABELS_DIR.glob("*.yaml"))


def test_the_three_languages_are_there():
    assert [path.stem for path in catalogues()] == ["de", "en", "es"]


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: p.stem)
def test_every_label_exists_in_every_catalogue(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    keys = list(_flatten(data["labels"]))
    assert sorted(keys) == sorted(label_keys())
    assert set(data["dates"]) == {"cover", "plan_lead", "plan_day"}
    english = _flatten(yaml.safe_load((LABELS_DIR / "en.yaml").read_text())["labels"])
    for key, value in _flatten(data["labels"]).items():
        fields = {f for f in _fields(english[key])}
        assert _fields(value) == fields, f"{path.name}: {key} uses other {{fields}} than English"


def _fields(value) -> set[str]:
    import re

    texts = value.values() if isinstance(value, dict) else [value]
    return {field for text in texts for field in re.findall(r"\{(\w+)\}", str(text))}


def test_no_template_or_module_formats_a_date_by_hand():
    repo = Path(__file__).resolve().parents[1]
    for path in [*repo.glob("templates/**/*.html"), *repo.glob("guidegen/**/*.py")]:
        assert "strftime" not in path.read_text(encoding="utf-8"), path


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    out = tmp_path_factory.mktemp("de") / "de.pdf"
    result = run_cli(
        "build",
        "--lang",
        "de",
        "--date",
        "2027-03-09",
        "--start",
        "2027-03-01",
        "--company",
        "Acme",
        "--count",
        "6",
        "--html",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.stderr
    book = Workbook(out)
    yield book, out.with_suffix(".html").read_text(encoding="utf-8")
    book.close()


def test_a_german_workbook_prints_german_labels_and_dates(german):
    book, _ = german
    text = " ".join(book.page_texts)
    assert "Dienstag, 9. März 2027" in book.page_texts[0]
    for label in (
        "GESPRÄCHSTERMIN",
        "So arbeiten Sie mit diesem Heft",
        "Inhalt",
        "Lernplan",
        "8 Tage bis zu Ihrem Gespräch am Dienstag, 9. März",
        "Allgemeine Fragen",
        "WARUM DIESE FRAGE",
        "MUSTERANTWORT",
        "MEINE GESCHICHTE",
        "Fragen an Ihre Gesprächspartner",
        "Notizen",
        "Mo., 1. März",
    ):
        assert label in text, label
    assert book.margin_text(3, "top").replace(" ", "") == "SoarbeitenSiemitdiesemHeft3"
    assert "Why they ask" not in text.title()
    bookmarks = [title for level, title, _ in book.outline() if level == 1]
    assert bookmarks[:3] == ["So arbeiten Sie mit diesem Heft", "Inhalt", "Lernplan"]


def test_a_german_workbook_prints_german_worksheets(german):
    book, _ = german
    bookmarks = [title for level, title, _ in book.outline() if level == 1]
    for title in (
        "Die Stellenanzeige",
        "Recherche zum Unternehmen",
        "Erzählen Sie etwas über sich",
        "Gehalt und Kündigungsfrist",
        "Der Gesprächstag",
        "Nach dem Gespräch",
        "Meine Bewerbungen",
    ):
        assert title in bookmarks, title
    text = " ".join(book.page_texts)
    for label in (
        "Warum diese Stelle, warum Acme",  # the company in the pitch's third part
        "Datum und Uhrzeit Dienstag, 9. März 2027",  # the interview date, printed in
        "Am Tag davor",
        "STAR-GESCHICHTE",
        "Mein Nachweis",
    ):
        assert label in text, label


def test_the_content_keeps_its_language_and_the_labels_are_marked(german):
    book, html = german
    assert str(book.pdf.Root.Lang) == "en"  # the questions are English text
    assert '<html lang="en">' in html
    assert '<span lang="de">Inhalt</span>' in html
    assert "Interview preparation" not in str(book.pdf.docinfo.Subject)
    assert str(book.pdf.docinfo.Subject).startswith("Arbeitsheft zur Vorbereitung")


def test_a_spanish_workbook_prints_spanish_dates(tmp_path):
    out = tmp_path / "es.pdf"
    result = run_cli(
        "build",
        "--content",
        TINY,
        "--lang",
        "es",
        "--date",
        "2027-03-09",
        "--start",
        "2027-03-05",
        "--name",
        "Lucía",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.stderr
    book = Workbook(out)
    text = " ".join(book.page_texts)
    title = str(book.pdf.docinfo.Title)
    book.close()
    assert "martes, 9 de marzo de 2027" in text
    assert "Quedan 4 días para tu entrevista del martes 9 de marzo." in text
    assert "Índice" in text and "Preguntas generales" in text and "vie 5 de mar" in text
    assert title == "Tiny Role Interview Workbook para Lucía"


def test_an_unknown_language_is_a_usage_error_listing_the_choices(tmp_path):
    result = run_cli("build", "--content", TINY, "--lang", "fr", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "unknown language 'fr'; choose one of: de, en, es" in result.stderr


def test_a_pack_overrides_one_label_and_adds_a_language(tiny_pack, tmp_path):
    (tiny_pack / "labels").mkdir()
    (tiny_pack / "labels" / "en.yaml").write_text(
        "labels:\n  contents:\n    title: What is in this book\n", encoding="utf-8"
    )
    (tiny_pack / "labels" / "fr.yaml").write_text(
        "language: Français\nlocale: fr_FR\ndates:\n  cover: EEEE d MMMM y\n"
        "labels:\n  contents:\n    title: Sommaire\n",
        encoding="utf-8",
    )
    out = tmp_path / "x.pdf"
    assert run_cli("build", "--content", tiny_pack, "--out", out).exit_code == 0
    book = Workbook(out)
    assert "What is in this book" in " ".join(book.page_texts)
    book.close()
    result = run_cli(
        "build",
        "--content",
        tiny_pack,
        "--lang",
        "fr",
        "--date",
        "2027-03-09",
        "--start",
        "2027-03-01",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.stderr
    assert "warning: the 'fr' labels lack" in result.stderr
    book = Workbook(out)
    text = " ".join(book.page_texts)
    book.close()
    assert "Sommaire" in text and "mardi 9 mars 2027" in text
    assert "General questions" in text  # the labels French leaves out are English


def test_a_misspelt_label_in_a_pack_is_a_content_error_with_its_line(tiny_pack, tmp_path):
    (tiny_pack / "labels").mkdir()
    (tiny_pack / "labels" / "en.yaml").write_text(
        "labels:\n  contents:\n    titel: Overview\n", encoding="utf-8"
    )
    result = run_cli("build", "--content", tiny_pack, "--out", tmp_path / "x.pdf")
    assert result.exit_code == 1
    assert (
        "labels/en.yaml:3:5: labels.contents.titel: unknown label; did you mean "
        "'contents.title'?" in result.stderr
    )


def test_a_right_to_left_pack_sets_the_direction(tiny_pack, tmp_path):
    workbook = tiny_pack / "workbook.yaml"
    workbook.write_text(workbook.read_text(encoding="utf-8") + "language: he\n", encoding="utf-8")
    out = tmp_path / "he.pdf"
    result = run_cli("build", "--content", tiny_pack, "--html", "--out", out)
    assert result.exit_code == 0, result.stderr
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert '<html lang="he" dir="rtl">' in html
    assert '<span lang="en">' in html  # no Hebrew catalogue: English labels, marked as such
    book = Workbook(out)
    assert str(book.pdf.Root.Lang) == "he"
    book.close()


def test_batch_has_the_spec_options_and_a_column_wins(tmp_path):
    attendees = tmp_path / "room.csv"
    attendees.write_text("name,language\nAnn,\nBen,de\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "batch",
        attendees,
        "--content",
        TINY,
        "--out-dir",
        out,
        "-q",
        "--kinds",
        "technical",
        "--lang",
        "es",
        "--date",
        "2027-03-09",
        "--start",
        "2027-03-01",
    )
    assert result.exit_code == 0, result.stderr
    ann, ben = Workbook(out / "ann.pdf"), Workbook(out / "ben.pdf")
    ann_text, ben_text = " ".join(ann.page_texts), " ".join(ben.page_texts)
    ann.close()
    ben.close()
    assert "Preguntas técnicas" in ann_text and "martes, 9 de marzo de 2027" in ann_text
    assert "Technische Fragen" in ben_text and "Dienstag, 9. März 2027" in ben_text
    for text in (ann_text, ben_text):
        assert "How would you find which process fills a disk?" in text
        assert "What does a build server do?" not in text
