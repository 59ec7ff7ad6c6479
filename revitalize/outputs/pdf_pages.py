"""Laying out HTML documents as one PDF with WeasyPrint, in this process or spread over worker processes.

Kept apart from ``outputs.evidence`` and light to import (WeasyPrint and pikepdf only, both loaded when first used).
Workers are fresh interpreters running ``python -m revitalize.outputs.pdf_pages OUT`` — not ``multiprocessing``,
whose spawned children re-run the main module, which under Streamlit is the page script, and whose forked children
would copy the app's threads. A worker reads its documents as JSON on stdin, reports pages laid out on stderr
(``pages N``) and writes its PDF to OUT. Each document is laid out on its own, so a batch costs the sum of its
documents and each numbers its own pages.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from revitalize.core.errors import ExportError

Progress = Callable[[str, int, "int | None"], None]
"""``progress(stage, done, total)``; here always ``("pages", pages laid out so far, None)``."""

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


_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the revitalize package (for the workers)


class _Worker:
    """One worker process: started at once (it loads WeasyPrint and the fonts while the parent gathers sheets),
    given its documents once (``feed``), then read to the end (``pages`` on the queue, the PDF from its file)."""

    def __init__(self, index: int, folder: str, events: queue.Queue) -> None:
        self.index, self.out = index, Path(folder) / f"part-{index}.pdf"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "revitalize.outputs.pdf_pages", str(self.out)],
                                     stdin=subprocess.PIPE, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     env=env, cwd=str(_ROOT))
        self.tail: list[str] = []
        self.reader = threading.Thread(target=self._read, args=(events,), daemon=True)
        self.reader.start()

    def _read(self, events: queue.Queue) -> None:
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line.startswith("pages "):
                events.put((self.index, int(line.split()[1])))
            elif line:
                self.tail = (self.tail + [line])[-5:]
        events.put((self.index, None))  # finished

    def feed(self, documents: Sequence[str], css: str, title: str) -> None:
        try:
            self.proc.stdin.write(json.dumps({"documents": list(documents), "css": css, "title": title}).encode())
            self.proc.stdin.close()
        except BrokenPipeError:  # it died while starting: its stderr says why (see result)
            pass

    def result(self) -> bytes:
        code = self.proc.wait()
        self.reader.join()
        if code != 0 or not self.out.exists():
            raise ExportError(f"PDF worker: expected a PDF, found exit status {code}: {' / '.join(self.tail)}")
        return self.out.read_bytes()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Batch:
    """Documents added one by one (``add``) and laid out: in this process, or, for a batch of
    ``POOL_MIN_DOCUMENTS`` or more with ``workers`` > 1, in that many worker processes, started at once and each
    given its share as soon as it is complete. ``pdf()`` joins the parts in order (``join``) and reports the pages
    laid out as they come. Use as a context manager."""

    def __init__(self, total: int, css: str, title: str, *, workers: int = 1, progress: Progress | None = None):
        self.css, self.title, self.progress = css, title, progress
        workers = min(workers, total)
        self.local: list[str] = []
        self.pending: list[str] = []
        self.workers: list[_Worker] = []
        self.fed = 0
        if workers > 1 and total >= POOL_MIN_DOCUMENTS:
            self.size = math.ceil(total / workers)
            self.folder = tempfile.TemporaryDirectory(prefix="revitalize-pdf-")
            self.events: queue.Queue = queue.Queue()
            self.workers = [_Worker(i, self.folder.name, self.events) for i in range(workers)]

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc) -> None:
        for w in self.workers:
            w.stop()
        if self.workers:
            self.folder.cleanup()

    def add(self, document: str) -> None:
        if not self.workers:
            self.local.append(document)
            return
        self.pending.append(document)
        if len(self.pending) >= self.size:
            self._feed()

    def _feed(self) -> None:
        if self.pending:
            self.workers[self.fed].feed(self.pending, self.css, self.title)
            self.fed += 1
            self.pending = []

    def pdf(self) -> bytes:
        if not self.workers:
            with _page_counter(self.progress) as counter:
                return lay_out(self.local, self.css, self.title, counter)[0]
        self._feed()
        for w in self.workers[self.fed:]:  # fewer shares than workers: the idle ones end with no input
            w.feed([], self.css, self.title)
        pages = [0] * len(self.workers)
        running = len(self.workers)
        while running:
            index, n = self.events.get()
            if n is None:
                running -= 1
            else:
                pages[index] = n
                if self.progress is not None:
                    self.progress("pages", sum(pages), None)
        return join([w.result() for w in self.workers[:self.fed]], self.title)


def join(parts: Sequence[bytes], title: str) -> bytes:
    """The parts' pages in order as one PDF, with their links and bookmarks (bookmarks re-pointed at the joined
    pages). pikepdf (qpdf) keeps the parts' compression and writes object streams: the joined file is about the
    sum of its parts."""
    import pikepdf

    out = pikepdf.Pdf.new()
    marks: list[tuple[list, int]] = []  # (the part's top-level outline items, its first page in the result)
    opened = []
    for part in parts:
        src = pikepdf.Pdf.open(io.BytesIO(part))
        opened.append(src)
        first = len(out.pages)
        index = {page.objgen: i for i, page in enumerate(src.pages)}
        out.pages.extend(src.pages)
        with src.open_outline() as outline:
            marks.append(([_mark(item, index, first) for item in outline.root], first))
    with out.open_outline() as outline:
        for items, _ in marks:
            outline.root.extend(items)
    out.docinfo["/Title"] = title
    buf = io.BytesIO()
    out.save(buf, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for src in opened:
        src.close()
    return buf.getvalue()


def _mark(item, index: dict, first: int):
    """A copy of a bookmark of a part, pointing at the same page and height of the joined document."""
    import pikepdf

    dest = item.destination
    page = first + index.get(dest[0].objgen, 0) if isinstance(dest, pikepdf.Array) and len(dest) else first
    top = float(dest[3]) if isinstance(dest, pikepdf.Array) and len(dest) > 3 else None
    copy = pikepdf.OutlineItem(item.title, page, pikepdf.PageLocation.XYZ, top=top)
    copy.children.extend(_mark(child, index, first) for child in item.children)
    return copy


def to_pdf(documents: Sequence[str], css: str, title: str, *, workers: int = 1,
           progress: Progress | None = None) -> bytes:
    """One PDF of the documents, in order (see ``Batch``)."""
    with Batch(len(documents), css, title, workers=workers, progress=progress) as batch:
        for doc in documents:
            batch.add(doc)
        return batch.pdf()


def _work(out: str) -> int:
    """A worker's life: warm up, read the job, lay it out reporting pages, write the PDF."""
    import weasyprint

    weasyprint.HTML(string="<p>x</p>").render()  # fonts and Pango loaded before the job arrives
    job = json.loads(sys.stdin.buffer.read() or b"null")
    if not job or not job["documents"]:
        return 0
    with _page_counter(lambda stage, done, total: print(f"pages {done}", file=sys.stderr, flush=True)) as counter:
        pdf, _ = lay_out(job["documents"], job["css"], job["title"], counter)
    Path(out).write_bytes(pdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(_work(sys.argv[1]))
