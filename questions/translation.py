"""The bank's two languages: which texts carry a Russian version beside the
English one, and reading a text in a language, falling back to the English.

The English text is the question (validated, fingerprinted, exported,
imported); the Russian one sits beside it in a column of its own (`stem_ru`
beside `stem`) and is shown instead where it was written. Nothing here reads
the active language: callers say which language they want (a snapshot keeps
the one its attempt was started in)."""

SOURCE_LANGUAGE = "en"
# Languages with their own columns, the suffix of each column.
TRANSLATIONS = ("ru",)

# The texts of each model that have a Russian version, by model label.
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "questions.rule": ("title", "wording"),
    "questions.category": ("name", "description"),
    "questions.question": ("stem", "explanation"),
    "questions.choice": ("text", "feedback"),
}


def bank_language(language: str | None) -> str:
    """The bank's language for a language code ("ru", "ru-RU", "en-GB", None):
    one with columns of its own, else the English."""
    base = (language or SOURCE_LANGUAGE).lower().split("-")[0].split("_")[0]
    return base if base in TRANSLATIONS else SOURCE_LANGUAGE


def translated_name(field: str, language: str) -> str:
    """The column holding `field` in `language` ("stem", "ru": "stem_ru")."""
    language = bank_language(language)
    return field if language == SOURCE_LANGUAGE else f"{field}_{language}"


def translated(obj, field: str, language: str | None) -> str:
    """`obj`'s `field` in `language`, or in English where that is empty (per
    field: a missing Russian explanation shows the English one)."""
    name = translated_name(field, language or SOURCE_LANGUAGE)
    if name != field:
        value = getattr(obj, name, "") or ""
        if value.strip():
            return value
    return getattr(obj, field)
