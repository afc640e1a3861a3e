"""Every catalogue (en, es, fr, fr_CA, de): nothing fuzzy, every placeholder kept
(``manage.py check_catalogues``), and every translatable string written so makemessages finds it."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from claims.catalogues import catalogue_problems

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

"""


def test_check_catalogues_passes_on_the_projects_catalogues(capsys):
    call_command("check_catalogues")
    assert "no fuzzy entry" in capsys.readouterr().out


def test_check_catalogues_reads_every_language():
    checked = {code for code, _name in settings.LANGUAGES}
    assert checked == {"en", "es", "fr", "fr-ca", "de"}
    assert catalogue_problems(sorted(checked)) == []


def _catalogue(tmp_path: Path, language: str, body: str) -> None:
    folder = tmp_path / language / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "django.po").write_text(HEADER + body, encoding="utf-8")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('#, fuzzy\nmsgid "Claim"\nmsgstr "Réclamation"\n', "is fuzzy"),
        (
            '#, python-format\nmsgid "Claim %(ref)s"\nmsgstr "Réclamation %(reference)s"\n',
            "has %(reference) that the source has not",
        ),
        ('#, python-format\nmsgid "You owe %(amount)s."\nmsgstr "Vous devez."\n', "lost %(amount)"),
        (
            '#, python-format\nmsgid "%(n)s files"\nmsgstr "%(n)d fichiers"\n',
            "changed the conversion of %(n)",
        ),
        (
            '#, python-format\nmsgid "%(share)s found wrong"\nmsgstr "%(share)s à 100 % faux"\n',
            "cannot be formatted",
        ),
        ('#, python-format\nmsgid "%s of %s"\nmsgstr "%s"\n', "unnamed placeholders"),
        ('msgid "Hello {name}"\nmsgstr "Bonjour {nom}"\n', "has {nom} that the source has not"),
        (
            '#, python-format\nmsgid "1 claim"\nmsgid_plural "%(n)s claims"\n'
            'msgstr[0] "1 réclamation"\nmsgstr[1] "réclamations"\n',
            "msgstr[1] lost %(n)",
        ),
        ('msgid "Status: open"\nmsgstr "Statut: ouvert"\n', "non-breaking space before"),
        ('msgid "Status: open"\nmsgstr "Statut : ouvert"\n', "non-breaking space before"),
    ],
    ids=[
        "fuzzy",
        "extra",
        "lost",
        "conversion",
        "bare-percent",
        "unnamed",
        "brace",
        "plural",
        "colon-no-space",
        "colon-breaking-space",
    ],
)
def test_check_catalogues_fails_on_a_broken_entry(settings, tmp_path, capsys, entry, problem):
    # given: a catalogue with one broken entry
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    _catalogue(tmp_path, "fr", entry)
    # when / then: the command names the entry and fails
    with pytest.raises(CommandError):
        call_command("check_catalogues")
    assert problem in capsys.readouterr().err


@pytest.mark.parametrize(
    "body",
    [
        '#, python-format\nmsgid "1 claim"\nmsgid_plural "%(n)s claims"\n'
        'msgstr[0] "%(n)s réclamation"\nmsgstr[1] "%(n)s réclamations"\n\n'
        '#, python-format\nmsgid "%(rate)s/min at 100%%"\nmsgstr "%(rate)s/min à 100 %%"\n',
        # a time, an address, a notation are no label: no space before their colon
        'msgid "At 10:00, see https://x.example (hours:minutes)"\n'
        'msgstr "À 10:00, voir https://x.example (heures:minutes)"\n\n'
        'msgid "Status: open"\nmsgstr "Statut\u00a0: ouvert"\n',
    ],
    ids=["singular-without-count", "french-colons"],
)
def test_check_catalogues_accepts_what_is_right(settings, tmp_path, body):
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    _catalogue(tmp_path, "fr", body)
    assert catalogue_problems() == []


def test_check_catalogues_fails_on_a_regional_entry_its_parent_lost(settings, tmp_path):
    # given: fr_CA keeps an entry whose source string is gone from fr
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("fr", "French"), ("fr-ca", "French (Canada)")]
    _catalogue(tmp_path, "fr", 'msgid "E-mail"\nmsgstr "E-mail"\n')
    _catalogue(tmp_path, "fr_CA", 'msgid "Your e-mail"\nmsgstr "Votre courriel"\n')
    # when / then
    assert catalogue_problems() == [
        "fr-ca: 'Your e-mail': not in the fr catalogue any more "
        "(its source string changed or is gone)"
    ]


def test_check_catalogues_fails_when_a_language_has_no_catalogue(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("de", "German")]
    assert catalogue_problems() == ["de: no catalogue under LOCALE_PATHS"]


# makemessages looks for gettext, gettext_lazy, ngettext… and _ by those names only: an alias
# (``gettext_lazy as _lazy``) is never extracted, and its strings stay English in every language.
EXTRACTED = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
EXTRACTED |= {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def _project_sources():
    base = Path(settings.BASE_DIR)
    skip = re.compile(r"^(\.venv|var|node_modules|tests)/|/migrations/")
    for path in base.rglob("*.py"):
        relative = path.relative_to(base).as_posix()
        if not skip.search(relative):
            yield relative, path


def test_every_translation_function_is_imported_by_a_name_makemessages_extracts():
    aliased = []
    for relative, path in _project_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                aliased += [
                    f"{relative}: {alias.name} as {alias.asname}"
                    for alias in node.names
                    if alias.asname and alias.asname not in EXTRACTED
                ]
    assert aliased == []


# A colon written after ``{% translate %}`` is outside the catalogue: French cannot put its
# space before it. ``{{ _("Status")|label }}`` writes the reader's "Status:" / "Statut :".
COLON_AFTER_TRANSLATE = re.compile(r"\{%\s*(?:translate|trans)\s+(['\"])[^'\"]*\1\s*%\}:")


def test_no_template_writes_a_colon_after_a_translated_label():
    base = Path(settings.BASE_DIR) / "templates"
    found = [
        f"{path.relative_to(base)}: {match[0]}"
        for path in base.rglob("*.*")
        if path.suffix in (".html", ".txt")
        for match in COLON_AFTER_TRANSLATE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            'msgid "You can appeal until"\nmsgstr "Sie können Einspruch einlegen bis"\n',
            "says 'Einspruch' where the site says 'Widerspruch'",
        ),
        (
            'msgid "Your claims"\nmsgstr "Ihre Reklamationen"\n',
            "says 'Reklamationen' where the site says 'Schadensmeldung'",
        ),
        (
            'msgid "Customers claiming"\nmsgstr "Kunden, die reklamieren"\n',
            "says 'reklamieren' where the site says 'Schadensmeldung'",
        ),
    ],
    ids=["appeal", "claim", "claiming"],
)
def test_check_catalogues_holds_german_to_one_word_per_thing(settings, tmp_path, entry, problem):
    # given: a German entry naming a thing by another word than every other page's
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("de", "German")]
    _catalogue(tmp_path, "de", entry)
    # when / then: the reader would meet two words for one thing
    assert [p for p in catalogue_problems() if problem in p]


def test_glossary_words_are_whole_words(settings, tmp_path):
    # given: a German entry with none of the words the site does not use
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("de", "German")]
    _catalogue(tmp_path, "de", 'msgid "Appeal"\nmsgstr "Widerspruch"\n')
    # then: nothing to report
    assert catalogue_problems() == []
