"""Every UI string under one lookup: Japanese first, English alongside.

The strings live by feature in ``core/strings/<feature>.py`` (one ``STRINGS`` dict each); this module merges
them. ``t(key, lang)`` returns the string; ``localized(row, base, lang)`` picks ``base_en`` or ``base_ja``
from data, falling back to Japanese.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from revitalize.core.strings import (
    admin,
    candidates,
    common,
    contributions,
    coverage,
    effects,
    errors,
    exports,
    maphtml,
    offline,
    portfolio,
    uploads,
    user_layers,
)
from revitalize.core.strings import api as api_strings

LANGS = ("ja", "en")
_FEATURES = (common, errors, effects, exports, candidates, user_layers, portfolio, api_strings, maphtml,
             offline, uploads, admin, coverage, contributions)


def _merge() -> dict[str, tuple[str, str]]:
    """One dict of every feature's strings; a key defined in two features is a mistake, refused at import."""
    merged: dict[str, tuple[str, str]] = {}
    for feature in _FEATURES:
        twice = set(merged) & set(feature.STRINGS)
        if twice:
            raise RuntimeError(f"i18n keys defined twice ({feature.__name__}): {sorted(twice)}")
        merged.update(feature.STRINGS)
    return merged


STRINGS: dict[str, tuple[str, str]] = _merge()


@dataclass(frozen=True)
class Text:
    """A text named by key and parameters, to be put into another text's parameters: it is formatted in the
    language of the text it goes into (``t("effect.err.bad_code", "ja", why=Text("code.check_digit", …))``).
    ``str()`` is English."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    def __call__(self, lang: str = "ja") -> str:
        return t(self.key, lang, **dict(self.params))

    def __str__(self) -> str:
        return self("en")


@dataclass(frozen=True)
class Bilingual:
    """A parameter given in both languages (names of places, say), picked by the text's language."""

    ja: str
    en: str

    def __str__(self) -> str:
        return self.en


def text(key: str, /, **params: object) -> Text:
    """``Text(key, params)``: a keyed text to pass as another text's parameter."""
    return Text(key, tuple(params.items()))


def say(value: object, lang: str = "ja") -> object:
    """A parameter as said in ``lang``: a keyed text (anything with a ``key`` of this lookup and ``params``:
    ``Text``, a ``Problem``, ``codes.CodeProblem``) formatted, a ``Bilingual`` picked; other values as they are."""
    if isinstance(value, Bilingual):
        return value.en if lang == "en" else value.ja
    key, params = getattr(value, "key", None), getattr(value, "params", None)
    if isinstance(key, str) and key in STRINGS and isinstance(params, tuple):
        return t(key, lang, **dict(params))
    return value


def expect(key: str, /, **params: object) -> dict[str, object]:
    """Keyword arguments of a ``Problem`` whose expected text is ``key``: the English text, the key, the
    parameters (``Problem(file, found=…, **i18n.expect("pb.imp.status", choices=…))``)."""
    return {"expected": t(key, "en", **params), "key": key, "params": tuple(params.items())}


def problem_texts(problem: object, lang: str = "ja") -> tuple[str, str]:
    """(expected, found) of a ``Problem`` in ``lang``: its keys' texts (found is data unless ``found_key``)."""
    params = dict(problem.params)
    expected = t(problem.key, lang, **params) if problem.key is not None else problem.expected
    found = t(problem.found_key, lang, **params) if problem.found_key is not None else problem.found
    return expected, found


def problem_line(problem: object, lang: str = "ja") -> str:
    """One ``Problem`` as a line in ``lang``: where (file, row, column), what was expected, what was found;
    a one-sentence problem (``Problem.message``) is its sentence."""
    expected, found = problem_texts(problem, lang)
    if problem.is_message:
        return expected
    where = str(problem.file)
    if problem.row is not None:
        where = t("err.where_row", lang, where=where, row=problem.row)
    if problem.column is not None:
        where = t("err.where_column", lang, where=where, column=problem.column)
    return t("err.line", lang, where=where, expected=expected, found=found)


def error_text(exc: BaseException, lang: str = "ja") -> str:
    """A project error's message in ``lang``, from the keyed problems every project error carries: one
    sentence as it is; several, or any with a place (file, row, column), counted and listed one per line.
    Anything else (a bug) shows ``str(exc)``."""
    problems = list(getattr(exc, "problems", None) or ())
    if not problems:
        return str(exc)
    lines = [problem_line(p, lang) for p in problems]
    if all(p.is_message for p in problems):
        return "\n".join(lines)
    return "\n".join([t("err.count", lang, n=len(problems))] + [f"  - {line}" for line in lines])


def t(key: str, lang: str = "ja", /, **fmt: object) -> str:
    """The UI string for ``key`` in ``lang`` ('ja' or 'en'), formatted with ``fmt``."""
    ja, en = STRINGS[key]
    text = en if lang == "en" else ja
    return text.format(**{k: say(v, lang) for k, v in fmt.items()}) if fmt else text


def localized(row: Mapping[str, object], base: str, lang: str) -> str:
    """``row[base + '_en']`` in English when present, else ``row[base + '_ja']`` (or ``row[base]``)."""
    if lang == "en":
        value = row.get(f"{base}_en")
        if isinstance(value, str) and value.strip():
            return value
    value = row.get(f"{base}_ja", row.get(base))
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


# compact numbers (issue 13: metrics that fit their box): 万/億 in Japanese, k/M/B in English
def compact_number(value: float, lang: str = "ja") -> str:
    """``value`` short enough for a metric box: 11,618,000 → "1,162万" (ja) / "11.6M" (en); below 10,000
    the full number ("9,999"). The full value belongs in the metric's help (hover)."""
    v = float(value)
    sign, a = ("−" if v < 0 else ""), abs(v)
    if a < 10_000:
        return f"{sign}{a:,.0f}"
    if lang == "ja":
        if a < 1e8:
            return f"{sign}{a / 1e4:,.1f}万" if a < 1e6 else f"{sign}{a / 1e4:,.0f}万"
        oku = a / 1e8
        return f"{sign}{oku:,.{2 if oku < 10 else 1 if oku < 100 else 0}f}億"
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= size:
            x = a / size
            return f"{sign}{x:,.1f}{unit}" if x < 99.95 else f"{sign}{x:,.0f}{unit}"  # never "1,000.0B"
    return f"{sign}{a:,.0f}"  # pragma: no cover - unreachable (a >= 10,000)
