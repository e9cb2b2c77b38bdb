"""The forms of the web editor: one field for each front-matter key the engine reads
(content/model.py), with the engine's required flag and a widget for its kind.

tests/test_cms.py holds the two together: it records every key the engine's readers ask
for, and whether they require it, for news, documents and pages, and fails when a form
misses one, adds one the engine would keep as `extra`, or disagrees on required.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Dates as the engine reads them (content/fields.py parse_date) and as editors read them.
DATE_TIME = {"widget": "datetime", "format": "YYYY-MM-DD HH:mm", "date_format": "DD/MM/YYYY",
             "time_format": "HH:mm"}
DATE = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "DD/MM/YYYY", "time_format": False}
# A required date starts at the moment the form is opened; an optional one empty (and
# admin.js leaves it out of the file when it stays so).
NOW, NO_DEFAULT = {"default": "{{now}}"}, {"default": ""}
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"  # what the engine makes of a title; admin.py adds the message
LANGUAGES = ("vi", "en")
# Media go where the engine looks for them: static/media and static/files, named by the
# site path the engine accepts (`image: /media/…`, `path: /files/…`).
# A leading "/" is the repository's root to Decap; without it, a folder collection puts
# uploads beside the entry (content/news/2025/photo.jpg), where the engine never looks.
MEDIA_FOLDER, MEDIA_PATH = "/static/media", "/media"
FILES_FOLDER, FILES_PATH = "/static/files", "/files"


@dataclass(frozen=True)
class FormField:
    name: str
    required: bool
    widget: dict  # Decap's settings for the field, without its label and hint
    parts: tuple[FormField, ...] = field(default=())  # the fields of each item of a list


@dataclass(frozen=True)
class Choices:
    """What the portal's content already uses, offered as choices."""

    categories: tuple[str, ...]
    document_types: tuple[str, ...]


def _text(name: str, required: bool = False, **settings) -> FormField:
    return FormField(name, required, {"widget": "string", **settings})


def _flag(name: str) -> FormField:
    return FormField(name, False, {"widget": "boolean", "default": False})


def _select(name: str, options: tuple[str, ...], required: bool) -> FormField:
    """A choice among `options`; a free text box when there is nothing to choose from yet."""
    if not options:
        return _text(name, required)
    return FormField(name, required, {"widget": "select", "options": list(options)})


def _language() -> FormField:
    return FormField("lang", False, {"widget": "select", "options": list(LANGUAGES)})


def _slug() -> FormField:
    # Left empty, admin.js writes it from the title (or number) when the item is saved.
    return _text("slug", pattern=SLUG_PATTERN)


def _aliases() -> FormField:
    # Old addresses, one a line (`aliases: [/tin-tuc/ten-cu/]`, checked by the build).
    return FormField("aliases", False, {"widget": "list"})


def _body() -> FormField:
    # The preview sanitizes HTML written in the body, as the build does.
    return FormField("body", False, {"widget": "markdown", "sanitize_preview": True})


def news_form(choices: Choices) -> tuple[FormField, ...]:
    return (
        _text("title", required=True),
        FormField("date", True, {**DATE_TIME, **NOW}),
        _select("category", choices.categories, required=True),
        FormField("tags", False, {"widget": "list", "default": []}),
        FormField("summary", False, {"widget": "text"}),
        FormField("image", False, {"widget": "image", "choose_url": False}),
        _text("image_alt"),
        _text("image_caption"),
        _text("author"),
        _text("source"),
        FormField("documents", False, {"widget": "relation", "collection": "documents",
                                       "value_field": "number", "search_fields": ["number", "title"],
                                       "display_fields": ["{{number}} – {{title}}"], "multiple": True}),
        _text("video"),
        _slug(),
        _aliases(),
        _flag("featured"),
        _flag("draft"),
        FormField("updated", False, {**DATE_TIME, **NO_DEFAULT}),
        _language(),
        _body(),
    )


def document_form(choices: Choices) -> tuple[FormField, ...]:
    attachment = FormField("files", False, {"widget": "list", "summary": "{{fields.title}}"}, parts=(
        FormField("path", True, {"widget": "file", "media_folder": FILES_FOLDER,
                                 "public_folder": FILES_PATH, "choose_url": False}),
        _text("title", required=True),
    ))
    target = FormField("targets", False, {"widget": "list", "summary": "{{fields.label}}: {{fields.value}}"},
                       parts=(_text("label", required=True), _text("value", required=True)))
    return (
        _text("number", required=True),
        _select("type", choices.document_types, required=True),
        _text("title", required=True),
        _text("issuer", required=True),
        FormField("issued", True, {**DATE, **NOW}),
        FormField("effective", False, {**DATE, **NO_DEFAULT}),
        FormField("expires", False, {**DATE, **NO_DEFAULT}),
        _text("signer"),
        _text("field"),
        FormField("summary", False, {"widget": "text"}),
        attachment,
        target,
        _slug(),
        _aliases(),
        _body(),
    )


def page_form() -> tuple[FormField, ...]:
    return (
        _text("title", required=True),
        _slug(),
        _aliases(),
        FormField("menu", False, {"widget": "number", "value_type": "int", "min": 1}),
        FormField("summary", False, {"widget": "text"}),
        _language(),
        _text("translation_of"),
        _flag("show_organization"),
        _flag("draft"),
        _body(),
    )
