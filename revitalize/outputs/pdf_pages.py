"""Laying out HTML documents as one PDF with WeasyPrint, in this process or spread over worker processes.

Kept apart from ``outputs.evidence`` and light to import (WeasyPrint and pypdf only, both loaded when first used):
worker processes are spawned (a fork of the app's threaded server is unsafe) and import only this module.
Each document is laid out on its own, so a batch costs the sum of its documents and each numbers its own pages.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import logging
import math
import multiprocessing
from collections.abc import Callable, Sequence

Progress = Callable[[str, int, "int | None"], None]
"""``progress("pages", pages laid out so far, None)``."""

POOL_MIN_DOCUMENTS = 8  # below this, starting worker processes costs more than it saves


class _PageCounter(logging.Handler):
    """Turns WeasyPrint's progress log ("Step 5 - Creating layout - Page N") into ``progress("pages", N)``,
    counted on from ``offset`` (the pages of the documents laid out before)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.offset = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("Step 5") and record.args:
            self.progress("pages", self.offset + int(record.args[0]), None)


@contextlib.contextmanager
def _page_counter(progress: Progress | None):
    if progress is None:
        yield None
        return
    log = logging.getLogger("weasyprint.progress")
    handler, level, propagate = _PageCounter(progress), log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate


def lay_out(documents: Sequence[str], css: str, title: str, counter: _PageCounter | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the documents laid out one by one with the stylesheet ``css`` (parsed once),
    their pages joined into one PDF titled ``title``. Also what each worker process runs."""
    import weasyprint  # here: without Pango every other export still works

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    sheet = weasyprint.CSS(string=css)
    pages, first = [], None
    for doc in documents:
        rendered = weasyprint.HTML(string=doc).render(stylesheets=[sheet])
        first = first or rendered
        pages += rendered.pages
        if counter is not None:
            counter.offset += len(rendered.pages)
    joined = first.copy(pages)
    joined.metadata.title = title
    return joined.write_pdf(), len(pages)


def _warm(css: str) -> None:
    """Load WeasyPrint, the fonts and the stylesheet in a fresh worker (while the parent still gathers sheets)."""
    import weasyprint

    weasyprint.HTML(string="<p>x</p>").render(stylesheets=[weasyprint.CSS(string=css)])


class Batch:
    """Documents added one by one (``add``) and laid out as they come: in this process, or, for a batch of
    ``POOL_MIN_DOCUMENTS`` or more with ``workers`` > 1, in spawned worker processes (two chunks each, so progress
    moves without embedding the fonts in many parts), started at once so they load while documents are made.
    ``pdf()`` joins the parts in order (pypdf keeps links and bookmarks). Use as a context manager."""

    def __init__(self, total: int, css: str, title: str, *, workers: int = 1, progress: Progress | None = None):
        self.css, self.title, self.progress = css, title, progress
        workers = min(workers, total)
        self.pool = None
        self.pending: list[str] = []
        self.futures: list[concurrent.futures.Future] = []
        self.local: list[str] = []
        if workers > 1 and total >= POOL_MIN_DOCUMENTS:
            self.size = math.ceil(total / (workers * 2))
            self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers,
                                                               mp_context=multiprocessing.get_context("spawn"))
            for _ in range(workers):
                self.pool.submit(_warm, css)

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def add(self, document: str) -> None:
        if self.pool is None:
            self.local.append(document)
            return
        self.pending.append(document)
        if len(self.pending) >= self.size:
            self._submit()

    def _submit(self) -> None:
        if self.pending:
            self.futures.append(self.pool.submit(lay_out, self.pending, self.css, self.title))
            self.pending = []

    def pdf(self) -> bytes:
        if self.pool is None:
            with _page_counter(self.progress) as counter:
                return lay_out(self.local, self.css, self.title, counter)[0]
        self._submit()
        parts, done = {}, 0
        order = {f: i for i, f in enumerate(self.futures)}
        for fut in concurrent.futures.as_completed(self.futures):
            parts[order[fut]], n = fut.result()
            done += n
            if self.progress is not None:
                self.progress("pages", done, None)
        import pypdf

        writer = pypdf.PdfWriter()
        for i in range(len(self.futures)):
            writer.append(pypdf.PdfReader(io.BytesIO(parts[i])))
        writer.add_metadata({"/Title": self.title})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


def to_pdf(documents: Sequence[str], css: str, title: str, *, workers: int = 1,
           progress: Progress | None = None) -> bytes:
    """One PDF of the documents, in order (see ``Batch``)."""
    with Batch(len(documents), css, title, workers=workers, progress=progress) as batch:
        for doc in documents:
            batch.add(doc)
        return batch.pdf()
