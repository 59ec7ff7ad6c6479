"""What an upload may cost, checked before the work it guards: the file's size, a zip's declared sizes and
ratios, members streamed with a running count; and reading an upload from a path (a missing file or a folder
in its place is a problem naming what was expected)."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from revitalize.core import i18n
from revitalize.core.errors import InputError, Problem

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an upload may cost; every limit is checked before the work it guards starts."""

    max_upload_bytes: int = 50 * MiB
    """Size of the uploaded file itself (bytes), checked before anything is read."""
    max_decompressed_bytes: int = 200 * MiB
    """Total uncompressed size of the members of a zip (xlsx, kmz, zipped Shapefile), bytes: checked on the
    sizes the zip declares before extracting, and again on the bytes actually streamed out."""
    max_ratio: float = 100.0
    """Uncompressed ÷ compressed size of any zip member larger than ``ratio_floor_bytes`` (a zip bomb's
    members compress 1,000:1 and more; real spreadsheets and Shapefiles stay well under 100:1)."""
    ratio_floor_bytes: int = 1 * MiB
    """Members smaller than this (uncompressed bytes) are exempt from the ratio check: tiny XML parts of an
    .xlsx compress far beyond 100:1 and cost nothing."""
    max_rows: int = 200_000
    """Data rows (records or features) per file; reading stops at the first row past the limit."""
    max_cell_chars: int = 10_000
    """Characters in one cell."""
    max_zip_members: int = 10_000
    """Members in one zip."""
    max_problems: int = 1_000
    """Problems listed one by one; past this, one more entry says how many were left out."""

    def __post_init__(self) -> None:
        bad = [f"{name}={getattr(self, name)!r}" for name in self.__dataclass_fields__
               if not getattr(self, name) > 0]
        if bad:
            raise ValueError("Limits must be positive: " + ", ".join(bad))


DEFAULT_LIMITS = Limits()


def _size(n: int) -> str:
    return f"{n / MiB:,.1f} MB ({n:,} bytes)" if n >= MiB else f"{n:,} bytes"


def check_size(data: bytes, *, file: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise InputError when the upload itself is larger than ``limits.max_upload_bytes``."""
    if len(data) > limits.max_upload_bytes:
        raise InputError([Problem(file, found=_size(len(data)), found_key="pb.up.size_found",
                                  **i18n.expect("pb.up.max_size", limit=_size(limits.max_upload_bytes),
                                                size=_size(len(data))))], dataset=file)


def check_zip(data: bytes, *, file: str, limits: Limits = DEFAULT_LIMITS) -> list[zipfile.ZipInfo]:
    """The members of a zip, after checking what it declares against the limits (nothing is extracted).

    Raises InputError naming the limit and the value found: too many members, total declared size over
    ``max_decompressed_bytes``, a member over ``max_ratio`` (when larger than ``ratio_floor_bytes``),
    an encrypted member, or bytes that are not a zip.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        # the library's words ("BadZipFile: File is not a zip file") stay in the English text only
        raise InputError([Problem(file, found=f"{type(exc).__name__}: {exc}", found_key="pb.up.not_zip",
                                  **i18n.expect("pb.up.zip"))], dataset=file) from exc
    infos = [i for i in zf.infolist() if not i.is_dir()]
    problems: list[Problem] = []
    if len(infos) > limits.max_zip_members:
        problems.append(Problem(file, found=f"{len(infos):,} members", found_key="pb.up.members_found",
                                **i18n.expect("pb.up.zip_members", limit=limits.max_zip_members, n=len(infos))))
    total = sum(i.file_size for i in infos)
    if total > limits.max_decompressed_bytes:
        problems.append(Problem(file, found=f"{_size(total)} declared by the zip", found_key="pb.up.unzipped_found",
                                **i18n.expect("pb.up.unzipped", limit=_size(limits.max_decompressed_bytes),
                                              size=_size(total))))
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            params = {"limit": limits.max_ratio, "ratio": ratio, "member": repr(i.filename),
                      "packed": _size(i.compress_size), "size": _size(i.file_size)}
            problems.append(Problem(file, found=i18n.t("pb.up.ratio_found", "en", **params),
                                    found_key="pb.up.ratio_found", column=i.filename,
                                    **i18n.expect("pb.up.ratio", **params)))
        if i.flag_bits & 0x1:
            problems.append(Problem(file, found=f"encrypted member {i.filename!r}", found_key="pb.up.encrypted_found",
                                    column=i.filename, **i18n.expect("pb.up.unencrypted", member=repr(i.filename))))
    if problems:
        raise InputError(problems, dataset=file)
    return infos


def read_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, file: str, budget: int,
                    chunk: int = MiB) -> bytes:
    """A member's bytes, streamed in chunks; stops (InputError) once more than ``budget`` bytes or more than the
    member declares have come out, whatever the zip's header claims."""
    cap = min(budget, info.file_size)
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while True:
                block = fh.read(chunk)
                if not block:
                    break
                out += block
                if len(out) > cap:
                    raise InputError([Problem(file, found=f"more than {_size(cap)} when decompressed",
                                              found_key="pb.up.member_cap_found", column=info.filename,
                                              **i18n.expect("pb.up.member_cap", limit=_size(cap),
                                                            member=repr(info.filename)))], dataset=file)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # e.g. more data than declared: CRC fails
        raise InputError([Problem(file, found=f"{type(exc).__name__}: {exc}", found_key="pb.up.member_found",
                                  column=info.filename, **i18n.expect("pb.up.member", member=repr(info.filename),
                                                                      size=_size(info.file_size)))],
                         dataset=file) from None
    return bytes(out)



UPLOAD_FORMATS_TEXT = "CSV, .xlsx, GeoJSON, GeoPackage, KML, KMZ, Shapefile .zip"


def read_file(path: Path | str, *, limits: Limits = DEFAULT_LIMITS, formats: str = UPLOAD_FORMATS_TEXT) -> bytes:
    """The bytes of an upload given as a path (CLI, imports), its size checked first.

    A missing file, a folder in the file's place or a file that cannot be read raises InputError saying
    what was expected and what is there.
    """
    path = Path(path)
    expect = i18n.expect("pb.up.file", formats=formats, path=str(path))
    if path.is_dir():
        found_key = "pb.up.folder"
    elif not path.exists():
        found_key = "pb.up.no_file"
    else:
        try:
            size = path.stat().st_size
            if size > limits.max_upload_bytes:
                raise InputError([Problem(path.name, found=_size(size), found_key="pb.up.size_found",
                                          **i18n.expect("pb.up.max_size", limit=_size(limits.max_upload_bytes),
                                                        size=_size(size)))], dataset=path.name)
            return path.read_bytes()
        except PermissionError:
            found_key = "pb.up.denied"
        except IsADirectoryError:
            found_key = "pb.up.folder"
        except OSError:
            found_key = "pb.up.unreadable"
    found = i18n.t(found_key, "en", path=str(path))
    raise InputError([Problem(path.name or str(path), found=found, found_key=found_key, **expect)],
                     dataset=path.name or str(path))
