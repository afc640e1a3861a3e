"""What can go wrong in a translation catalogue that no page shows until a reader meets it.

``catalogue_problems`` reads every catalogue of ``settings.LANGUAGES`` under ``LOCALE_PATHS``
with Babel and reports, one line each:

- a fuzzy entry (a guess ``makemessages`` made: never compiled, so the reader gets English);
- a placeholder mismatch: ``%(name)s``, ``%s`` or ``{name}`` in the translation that the source
  does not have, one the source has and the translation lost, a changed conversion
  (``%(n)d`` for ``%(n)s``), or a translation ``%`` cannot format at all (``100 %`` in French);
- in French, a label's colon ("Statut : ouvert", a colon before a space or the end) without a
  non-breaking space before it: a plain space lets the colon wrap to the next line, none is
  English typography (a time, 10:00, or an address, https://, is no label);
- a word the site does not use for one of its things, where the language has a glossary
  (``GLOSSARY``: in German a claim is a "Schadensmeldung", never a "Reklamation" nor
  "reklamieren", a complaint about goods; an appeal a "Widerspruch", never an "Einspruch"): one
  thing, one word, on every page and in every e-mail;
- in a regional catalogue that only holds what differs (``fr_CA`` beside ``fr``), an entry the
  parent catalogue no longer has (its source string changed or is gone).

English is the source language: its strings are the ``msgid``s themselves, so it has no catalogue
of its own; its singular and plural forms are checked against each other instead.

``manage.py check_catalogues`` prints the problems and fails when there is one; the test suite
runs it (``tests/portal/test_catalogues.py``).
"""

import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

# %(name)s, %s, %5.2f … (not %%); {name} and {0} (not {{ or }}).
PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?"  # the name
    r"[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"  # flags, width, precision
    r"(?P<type>[diouxXeEfFgGcrsa%])"
)
BRACE = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_]\w*|\d+)(?:[!:][^{}]*)?\}(?!\})")


def catalogue_path(language: str) -> Path | None:
    """The catalogue of ``language`` (``fr-ca`` is ``fr_CA``), or None when it has none."""
    for base in settings.LOCALE_PATHS:
        path = Path(base) / to_locale(language) / "LC_MESSAGES" / "django.po"
        if path.exists():
            return path
    return None


def catalogue_read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def percent_placeholders(text: str) -> tuple[dict[str, str], list[str]]:
    """The named ``%(name)x`` placeholders (name: conversion) and the unnamed ones, in order."""
    named: dict[str, str] = {}
    unnamed: list[str] = []
    for match in PERCENT.finditer(text):
        kind = match["type"]
        if kind == "%":
            continue
        if match["name"] is not None:
            named[match["name"]] = kind
        else:
            unnamed.append(kind)
    return named, unnamed


def brace_placeholders(text: str) -> set[str]:
    return {match["name"] for match in BRACE.finditer(text)}


def _formats(message: Message) -> tuple[bool, bool]:
    """Does the source use %-placeholders, {}-placeholders (flag or text)?"""
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    percent = "python-format" in message.flags or any(
        percent_placeholders(text) != ({}, []) for text in ids
    )
    brace = "python-brace-format" in message.flags or any(brace_placeholders(t) for t in ids)
    return percent, brace


def _percent_problem(source: list[str], translation: str, *, keep: bool = True) -> str:
    """Why ``translation`` cannot stand in for the source forms (empty when it can); with
    ``keep``, the placeholders every source form has must be kept."""
    forms = [percent_placeholders(text) for text in source]
    allowed = {name: kind for named, _u in forms for name, kind in named.items()}
    required = set.intersection(*(set(named) for named, _u in forms)) if keep else set()
    named, unnamed = percent_placeholders(translation)
    names = set(allowed) | set(named)
    values: dict | tuple = dict.fromkeys(names, 1) if names else tuple(1 for _k in unnamed)
    try:
        translation % values
    except (TypeError, ValueError, KeyError) as exc:
        return f"cannot be formatted ({exc}): a literal % is written %%"
    if extra := sorted(set(named) - set(allowed)):
        return f"has {', '.join(f'%({n})' for n in extra)} that the source has not"
    if lost := sorted(required - set(named)):
        return f"lost {', '.join(f'%({n})' for n in lost)}"
    if changed := sorted(n for n, kind in named.items() if allowed[n] != kind):
        return f"changed the conversion of {', '.join(f'%({n})' for n in changed)}"
    if keep and all(unnamed != u for _n, u in forms):
        return f"has unnamed placeholders {unnamed}, the source {forms[0][1]}"
    return ""


def _brace_problem(source: list[str], translation: str) -> str:
    allowed = set().union(*(brace_placeholders(text) for text in source))
    required = set.intersection(*(brace_placeholders(text) for text in source))
    found = brace_placeholders(translation)
    if extra := sorted(found - allowed):
        return f"has {', '.join(f'{{{n}}}' for n in extra)} that the source has not"
    if lost := sorted(required - found):
        return f"lost {', '.join(f'{{{n}}}' for n in lost)}"
    return ""


# A colon ending a label: before a space, a tag or the end (not 10:00, not https://).
LABEL_COLON = re.compile(r"(?P<before>.?):(?=\s|<|$)", re.DOTALL)
NON_BREAKING = "\u00a0\u202f"


def _colon_problem(language: str, translation: str) -> str:
    if language.split("_")[0] != "fr":
        return ""
    for match in LABEL_COLON.finditer(translation):
        if match["before"] not in NON_BREAKING or not match["before"]:
            return "needs a non-breaking space before ':' (French typography: 'Statut\u00a0: …')"
    return ""


# language -> (a word the site does not use, matched with its endings; the site's word)
GLOSSARY = {
    "de": [
        # the noun and its verb ("reklamieren": to complain about goods)
        (re.compile(r"\b(Reklamation\w*|reklamier\w*)", re.IGNORECASE), "Schadensmeldung"),
        (re.compile(r"\b(Einspr(?:u|ü)ch\w*)", re.IGNORECASE), "Widerspruch"),
    ],
}


def _glossary_problem(language: str, translation: str) -> str:
    for word, instead in GLOSSARY.get(language.split("_")[0], []):
        if found := word.search(translation):
            return f"says {found[1]!r} where the site says {instead!r}"
    return ""


def message_problems(message: Message, language: str = "") -> Iterator[str]:
    """What is wrong with one entry of a catalogue, in words."""
    if message.fuzzy:
        yield "is fuzzy (never compiled: translate it and drop the flag, or blank it)"
    source = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    percent, brace = _formats(message)
    for n, translation in enumerate(forms):
        if not translation:
            continue  # untranslated: the reader gets English (completeness is checked elsewhere)
        label = f"msgstr[{n}]" if len(forms) > 1 else "msgstr"
        # The first form may say "1 claim" without the count; the others are plurals.
        against = source if n == 0 else source[-1:]
        if percent and (problem := _percent_problem(against, translation)):
            yield f"{label} {problem}"
        if brace and (problem := _brace_problem(against, translation)):
            yield f"{label} {problem}"
        if problem := _colon_problem(language, translation):
            yield f"{label} {problem}"
        if problem := _glossary_problem(language, translation):
            yield f"{label} {problem}"


def source_problems(message: Message) -> Iterator[str]:
    """English: the singular has no placeholder the plural has not (the singular may leave out
    the count: "1 claim", "%(n)s claims")."""
    if not isinstance(message.id, tuple | list):
        return
    singular, plural = message.id
    if problem := _percent_problem([plural], singular, keep=False):
        yield f"msgid {problem} (against msgid_plural)"


def _where(message: Message) -> str:
    places = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
    text = message.id[0] if isinstance(message.id, tuple | list) else message.id
    text = text if len(text) <= 60 else text[:59] + "…"
    return f"{text!r}" + (f" ({places})" if places else "")


def catalogue_problems(languages: list[str] | None = None) -> list[str]:
    """Every problem of every catalogue, ``<language>: <entry>: <problem>``."""
    languages = languages or [code for code, _name in settings.LANGUAGES]
    problems: list[str] = []
    read: dict[str, Catalog] = {}
    source_language = settings.LANGUAGE_CODE
    for language in languages:
        path = catalogue_path(language)
        if language == source_language and path is None:
            continue  # English is the msgids themselves: checked below
        if path is None:
            problems.append(f"{language}: no catalogue under LOCALE_PATHS")
            continue
        catalogue = read[language] = catalogue_read(path)
        for message in catalogue:
            if not message.id:
                continue  # the header
            problems += [
                f"{language}: {_where(message)}: {p}"
                for p in message_problems(message, to_locale(language))
            ]
    if source_language in languages and read:
        any_catalogue = next(iter(read.values()))
        for message in any_catalogue:
            if message.id:
                problems += [
                    f"{source_language}: {_where(message)}: {p}" for p in source_problems(message)
                ]
    problems += _regional_problems(languages, read)
    return problems


def _regional_problems(languages: list[str], read: dict[str, Catalog]) -> list[str]:
    """A regional catalogue (``fr_CA``) holds only what differs from its parent's (``fr``):
    each of its entries must still be one of the parent's."""
    problems = []
    for language in languages:
        parent = language.split("-")[0]
        if parent == language or language not in read or parent not in read:
            continue
        for message in read[language]:
            if message.id and read[parent].get(message.id, context=message.context) is None:
                problems.append(
                    f"{language}: {_where(message)}: not in the {parent} catalogue any more "
                    "(its source string changed or is gone)"
                )
    return problems
