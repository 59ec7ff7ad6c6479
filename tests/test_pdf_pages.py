"""PDF batches: the same pages in the same order whether laid out here or over worker processes."""

import io
import shutil
import subprocess
import sys

import pikepdf
import pytest

from revitalize.core import settings
from revitalize.core.errors import ConfigError, ExportError
from revitalize.outputs import evidence, pdf_pages

pytestmark = [pytest.mark.skipif(evidence.pdf_problem() is not None, reason="WeasyPrint/Pango not installed"),
              pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
                                 reason="poppler-utils not installed; CI installs them")]

CSS = ("@page { size: A6; margin: 10mm; @bottom-right { content: counter(page) ' / ' counter(pages); } }"
       " .long p { margin: 0 0 40mm 0; }")


def _docs(n: int) -> list[str]:
    # every third document runs over two pages, so page numbering and order are both exercised
    return [f"<html><body class='{'long' if i % 3 == 0 else ''}'>" + "".join(
        f"<p>DOC-{i:02d} part {k}</p>" for k in range(4 if i % 3 == 0 else 1)) + "</body></html>"
        for i in range(n)]


def _pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_a_pool_gives_the_same_pages_in_the_same_order_as_one_process(tmp_path):
    docs = _docs(pdf_pages.POOL_MIN_DOCUMENTS + 1)
    seen = []
    alone = _pages(pdf_pages.to_pdf(docs, CSS, "batch", workers=1), tmp_path)
    pooled = _pages(pdf_pages.to_pdf(docs, CSS, "batch", workers=2,
                                     progress=lambda stage, done, total: seen.append(done)), tmp_path)
    assert len(pooled) == len(alone) > len(docs)  # the long documents took two pages
    firsts = [next(w for w in p.split() if w.startswith("DOC-")) for p in pooled]
    assert firsts == sorted(firsts)  # the parts were joined in order, whichever worker finished first
    assert [" ".join(p.split()) for p in pooled] == [" ".join(p.split()) for p in alone]
    numbers = [p.split()[-1].replace(' ', '') for p in pooled]
    assert numbers[:3] == ["1/2", "2/2", "1/1"]  # each document numbers its own pages
    assert seen and seen[-1] == len(pooled) and seen == sorted(seen)


def test_a_small_batch_stays_in_this_process(monkeypatch):
    def no_pool(*a, **k):
        raise AssertionError("a worker process was started for a small batch")

    monkeypatch.setattr(pdf_pages, "_Worker", no_pool)
    pdf = pdf_pages.to_pdf(_docs(pdf_pages.POOL_MIN_DOCUMENTS - 1), CSS, "small", workers=4)
    assert pdf.startswith(b"%PDF")


def test_the_worker_setting_is_checked(monkeypatch):
    monkeypatch.setenv("REVITALIZE_PDF_WORKERS", "3")
    assert settings.pdf_workers() == 3
    monkeypatch.setenv("REVITALIZE_PDF_WORKERS", "auto")
    assert 1 <= settings.pdf_workers() <= 4
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("REVITALIZE_PDF_WORKERS", bad)
        with pytest.raises(ConfigError, match="REVITALIZE_PDF_WORKERS"):
            settings.pdf_workers()


def test_a_failing_worker_is_a_clear_error_and_leaves_no_process(monkeypatch):
    started = []
    real = pdf_pages._Worker

    def worker(*args):
        w = real(*args)
        started.append(w)
        return w

    monkeypatch.setattr(pdf_pages, "_Worker", worker)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # every worker exits at once with status 1
    with pytest.raises(ExportError, match="PDF worker: expected a PDF, found exit status 1"):
        pdf_pages.to_pdf(_docs(pdf_pages.POOL_MIN_DOCUMENTS), CSS, "bad", workers=2)
    assert len(started) == 2 and all(w.proc.poll() is not None for w in started)


def test_joined_parts_keep_every_bookmark_on_its_page_and_stay_small():
    docs = [f"<html><body><h1>Sheet {i}</h1><h2>part {i}</h2></body></html>" for i in range(4)]
    parts = [pdf_pages.lay_out(docs[:2], CSS, "t")[0], pdf_pages.lay_out(docs[2:], CSS, "t")[0]]
    joined = pdf_pages.join(parts, "joined")
    pdf = pikepdf.Pdf.open(io.BytesIO(joined))
    assert len(pdf.pages) == 4 and str(pdf.docinfo["/Title"]) == "joined"
    with pdf.open_outline() as outline:
        tops = [(item.title, pdf.pages.index(pdf.pages.from_objgen(item.destination[0].objgen)),
                 [c.title for c in item.children]) for item in outline.root]
    assert tops == [(f"Sheet {i}", i, [f"part {i}"]) for i in range(4)]
    assert len(joined) < 1.2 * sum(len(p) for p in parts)
