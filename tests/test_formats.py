"""The export formats registry: every format has an extension, a MIME type and a writer (or is a document)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from revitalize.core.errors import ExportError
from revitalize.outputs import formats, shortlists


def _sl() -> shortlists.Shortlist:
    return shortlists.Shortlist(table=pd.DataFrame({"name": ["=1+1", "函館"], "muni_codes": [("01100",), ("01202",)],
                                                    "score": [0.5, 0.25]}), kind="t", title="テスト")


def test_registry_lists_every_format_once_with_extension_and_mime():
    assert set(formats.REGISTRY) == {"csv", "csv-cp932", "xlsx", "geojson", "gpkg", "kml", "map-html", "html", "pdf"}
    for key, f in formats.REGISTRY.items():
        assert f.key == key and f.extension and "/" in f.mime
    assert set(formats.DOCUMENT_FORMATS) == {"html", "pdf"}
    assert {k for k, f in formats.REGISTRY.items() if f.needs_places} == {"geojson", "gpkg", "kml", "map-html"}
    assert {k for k, f in formats.REGISTRY.items() if f.polygons} == {"map-html"}


def test_table_formats_write_bytes_without_places():
    for fmt in ("csv", "csv-cp932", "xlsx"):
        data, warnings = formats.export(_sl(), fmt)
        assert data and warnings == []
    data, _ = formats.export(_sl(), "csv")
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", comment="#").iloc[0, 0] == "'=1+1"


def test_map_formats_need_places_and_documents_are_not_table_exports():
    with pytest.raises(ExportError, match="places"):
        formats.export(_sl(), "geojson")
    with pytest.raises(ExportError, match="evidence"):
        formats.export(_sl(), "pdf")
    with pytest.raises(ExportError, match="expected one of"):
        formats.get("shp")


def test_file_names_follow_the_registry_extension():
    assert formats.export_filename(_sl(), "csv-cp932").endswith(".csv")
    assert formats.export_filename(_sl(), "gpkg").startswith("revitalize_t_テスト_")
