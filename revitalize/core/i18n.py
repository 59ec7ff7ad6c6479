"""Every UI string under one lookup: Japanese first, English alongside.

The strings live by feature in ``core/strings/<feature>.py`` (one ``STRINGS`` dict each); this module merges
them. ``t(key, lang)`` returns the string; ``localized(row, base, lang)`` picks ``base_en`` or ``base_ja``
from data, falling back to Japanese.
"""

from __future__ import annotations

from collections.abc import Mapping

from revitalize.core.strings import api as api_strings
from revitalize.core.strings import (candidates, common, effects, errors, exports, maphtml, portfolio,
                                     user_layers)
from revitalize.core.strings import contributions, coverage

LANGS = ("ja", "en")
_FEATURES = (common, errors, effects, exports, candidates, user_layers, portfolio, api_strings, maphtml)
_FEATURES += (coverage, contributions)


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


def expect(key: str, /, **params: object) -> dict[str, object]:
    """Keyword arguments of a ``Problem`` whose expected text is ``key``: the English text, the key, the
    parameters (``Problem(file, found=…, **i18n.expect("pb.imp.status", choices=…))``)."""
    return {"expected": t(key, "en", **params), "key": key, "params": tuple(params.items())}


def problem_texts(problem: object, lang: str = "ja") -> tuple[str, str]:
    """(expected, found) of a ``Problem`` in ``lang``: its keys' texts, else the text it carries."""
    params = dict(getattr(problem, "params", ()) or ())
    key, found_key = getattr(problem, "key", None), getattr(problem, "found_key", None)
    expected = t(key, lang, **params) if key in STRINGS else problem.expected
    found = t(found_key, lang, **params) if found_key in STRINGS else problem.found
    return expected, found


def problem_line(problem: object, lang: str = "ja") -> str:
    """One ``Problem`` as a line in ``lang``: where (file, row, column), what was expected, what was found."""
    where = str(problem.file)
    if problem.row is not None:
        where = t("err.where_row", lang, where=where, row=problem.row)
    if problem.column is not None:
        where = t("err.where_column", lang, where=where, column=problem.column)
    expected, found = problem_texts(problem, lang)
    return t("err.line", lang, where=where, expected=expected, found=found)


def error_text(exc: BaseException, lang: str = "ja") -> str:
    """A project error's message in ``lang``: its key's text, or every problem it lists, else ``str(exc)``."""
    key = getattr(exc, "key", None)
    if key in STRINGS:
        params = dict(getattr(exc, "params", {}) or {})
        store = params.get("store")
        if isinstance(store, str) and f"fail.store.{store}" in STRINGS:
            params["store"] = t(f"fail.store.{store}", lang)
        return t(key, lang, **params)
    problems = getattr(exc, "problems", None)
    if problems:
        return "\n".join([t("err.count", lang, n=len(problems))] + [f"  - {problem_line(p, lang)}" for p in problems])
    text = getattr(exc, "text", None)
    if callable(text) and hasattr(exc, "causes"):  # InfeasibleError: the constraints named, then the reasons
        head = t("err.infeasible", lang, constraints=", ".join(getattr(exc, "constraints", [])))
        return head + "\n" + text(lang)
    return str(exc)


def t(key: str, lang: str = "ja", /, **fmt: object) -> str:
    """The UI string for ``key`` in ``lang`` ('ja' or 'en'), formatted with ``fmt``."""
    ja, en = STRINGS[key]
    text = en if lang == "en" else ja
    return text.format(**fmt) if fmt else text


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
