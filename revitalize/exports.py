"""Exports that open correctly where planners work: Excel-safe CSV (UTF-8 with BOM, formulas neutralised)."""

from __future__ import annotations

import io

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot be read as formulas (numbers stay numbers)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame, *, credits: list[str] | None = None) -> bytes:
    """CSV bytes for Japanese Excel: UTF-8 with BOM, CRLF, formulas neutralised, credit lines at the end."""
    buf = io.StringIO()
    safe_frame(df).to_csv(buf, index=False, lineterminator="\r\n")
    text = buf.getvalue()
    for line in credits or []:
        text += f"# {neutralise(line)}\r\n"
    return ("\ufeff" + text).encode("utf-8")
