"""The article's language: detected (py3langid, loaded when first needed), and
checked before recognising, since the one recogniser installed is English."""

from __future__ import annotations

from functools import cache

from reader.core.recogniser import ModelUnavailable

LANGUAGE_CONFIDENCE = 0.9  # below this, the text is taken as English (short texts are noisy)


class LanguageUnsupported(ModelUnavailable):
    """The article is not in English, and no recogniser is installed for its language."""


@cache
def _language_identifier():  # noqa: ANN202
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language ("en" when unsure)."""
    language, confidence = _language_identifier().classify(text[:20_000])
    return language if confidence >= LANGUAGE_CONFIDENCE else "en"


def check_language(text: str, what: str = "article") -> None:
    """LanguageUnsupported, saying what ``what`` (the article, the text) is in,
    unless it is English, the one language with a recogniser installed."""
    language = detect_language(text)
    if language != "en":
        raise LanguageUnsupported(
            f"the {what} is in {language_name(language)}: no entity recogniser is installed for it"
        )


def language_name(code: str) -> str:
    import pycountry

    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code
