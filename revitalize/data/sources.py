"""The registry of external reference files, and how they are fetched.

Every reference file is listed here with its sha256 and a public URL pinned to a commit. A file is
looked up, in order, in the cache, in the mirror (``REVITALIZE_DATA_MIRROR``), then downloaded with
pooch into the cache. A file whose hash does not match is rejected and never used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from revitalize.core import settings
from revitalize.core.errors import DataUnavailableError, HashMismatchError

_SMRI = "https://raw.githubusercontent.com/smartnews-smri/japan-topography/b403e71eb97f1fdf32f63d16bd485129f703855e/data/municipality/geojson/s0001/"
_POP = "https://raw.githubusercontent.com/yo5uke/population_heatmap/c7a8364dec3f1b38b281743436526e46373437a8/data/"
_KANKO = "https://raw.githubusercontent.com/code4fukui/japan-kanko-stat/951995352fd33b57149b970d389e738cba1fb844/data/"
_HERITAGE = "https://raw.githubusercontent.com/code4fukui/japan-heritage/c8b4d891fffe498e9fc21928a4fdd8d33bcf0a6c/"
_MICHI = "https://raw.githubusercontent.com/yhay81/michi-no-eki/2541f29380fc50832162919ebc481d198ba8e1ea/public/data/"


@dataclass(frozen=True)
class ReferenceFile:
    """One external file: where it lives in the mirror, its hash and its pinned URL."""

    name: str  # logical name used by the loaders
    folder: str  # folder in the mirror (same layout as shared/data)
    file_name: str
    sha256: str
    url: str


@dataclass(frozen=True)
class Dataset:
    """A published dataset made of one or more reference files, with its credit line."""

    key: str
    title_ja: str
    title_en: str
    publisher: str
    as_of: str
    licence: str
    credit_ja: str
    credit_en: str
    url: str
    files: tuple[ReferenceFile, ...]
    disables_ja: str = ""
    disables_en: str = ""
    tables: tuple[str, ...] = field(default_factory=tuple)


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        key="boundaries",
        title_ja="行政区域（市区町村・都道府県境界）",
        title_en="Administrative boundaries (municipalities, prefectures)",
        publisher="MLIT 国土数値情報 N03 (simplified by SmartNews Media Research Institute)",
        as_of="2021-01-01",
        licence="国土数値情報利用約款 (commercial use allowed, credit required)",
        credit_ja="「国土数値情報（行政区域データ）（国土交通省）を加工して作成」",
        credit_en="Source: National Land Numerical Information (Administrative Areas), MLIT Japan; processed.",
        url="https://github.com/smartnews-smri/japan-topography",
        files=(
            ReferenceFile("municipalities_geojson", "boundaries", "N03-21_210101_designated_city_s0001.geojson",
                          "9792e697f889c218b4d0eea14c0c557342e382f7ebeb799e768e68adb9da61a7",
                          _SMRI + "N03-21_210101_designated_city.json"),
            ReferenceFile("wards_geojson", "boundaries", "N03-21_210101_wards_s0001.geojson",
                          "c736c1159f0afc7eedf9f667adebe707c436b44c21a82f424fe9e4357d798ed0",
                          _SMRI + "N03-21_210101.json"),
            ReferenceFile("prefectures_geojson", "boundaries", "prefectures_s0001.geojson",
                          "29ff57aa1e576f1f47c8cb571c4f7ba3d07969afa39a31b7730b68f8f0429dcf",
                          _SMRI + "prefectures.json"),
        ),
        disables_ja="地図、市区町村別の集計、点の市区町村判定、すべてのレイヤーの地図表示",
        disables_en="the map, municipality summaries, point-to-municipality assignment, every layer on the map",
        tables=("prefectures", "municipalities", "wards"),
    ),
    Dataset(
        key="population",
        title_ja="国勢調査 市区町村別人口 1980–2020",
        title_en="Population Census by municipality, 1980–2020",
        publisher="総務省統計局 (Statistics Bureau of Japan), via e-Stat 社会・人口統計体系",
        as_of="2020-10-01",
        licence="政府標準利用規約 (CC BY 4.0 compatible)",
        credit_ja="出典：総務省統計局『国勢調査』（e-Stat）",
        credit_en="Source: Population Census, Statistics Bureau of Japan (e-Stat)",
        url="https://github.com/yo5uke/population_heatmap",
        files=(
            ReferenceFile("census_csv", "population", "census_1980_2020_municipal.csv",
                          "c05a3f4d111eae5b6dc00779df721c9a14f46b00dbb9145223707371e4b8f050",
                          _POP + "data.csv"),
        ),
        disables_ja="人口・高齢化率の指標と人口推移グラフ",
        disables_en="population and ageing indicators, population trend charts",
        tables=("population",),
    ),
    Dataset(
        key="tourism",
        title_ja="デジタル観光統計 市区町村別 月別観光来訪者数",
        title_en="Digital tourism statistics: monthly visitors by municipality",
        publisher="公益社団法人日本観光振興協会 デジタル観光統計オープンデータ",
        as_of="2026-06-30",
        licence="repository MIT; open data of the publisher, credit required",
        credit_ja="出典：デジタル観光統計オープンデータ（公益社団法人日本観光振興協会）",
        credit_en="Source: Digital Tourism Statistics Open Data (Japan Travel and Tourism Association)",
        url="https://github.com/code4fukui/japan-kanko-stat",
        files=(
            ReferenceFile("tourism_all_csv", "tourism", "all.csv",
                          "08c3757d4adcf109c2c3576c496efd1ce4bf19c855da687abb1fb4911e028d9b", _KANKO + "all.csv"),
            ReferenceFile("tourism_city2024_csv", "tourism", "city2024.csv",
                          "3349691e0613829f3ec267eac2f38bd5415d5a4c61f1ddae114f81f185619953", _KANKO + "city2024.csv"),
            ReferenceFile("tourism_city2025_csv", "tourism", "city2025.csv",
                          "7c31fed0a71168b684e61ecc5e092cf8d63679494a9eeeac384ceb58f17d5216", _KANKO + "city2025.csv"),
        ),
        disables_ja="観光来訪者数の指標・推移グラフ、オーバーツーリズム指標",
        disables_en="visitor indicators and charts, overtourism indicators",
        tables=("tourism_visits",),
    ),
    Dataset(
        key="heritage",
        title_ja="日本遺産 ストーリーと構成文化財",
        title_en="Japan Heritage stories and component properties",
        publisher="文化庁 日本遺産ポータルサイト (Agency for Cultural Affairs), via code4fukui/japan-heritage",
        as_of="2026-03-16",
        licence="CC BY (portal); repository MIT",
        credit_ja="出典：日本遺産ポータルサイト（文化庁）",
        credit_en="Source: Japan Heritage Portal (Agency for Cultural Affairs)",
        url="https://github.com/code4fukui/japan-heritage",
        files=(
            ReferenceFile("heritage_stories_csv", "heritage", "japan-heritage.csv",
                          "a5792fba98b6800b60812e33a12cb060c385c130e0f4dd048d63706b526668ab",
                          _HERITAGE + "japan-heritage.csv"),
            ReferenceFile("heritage_withpos_csv", "heritage", "japan-heritage_withpos.csv",
                          "b5285c3e087e59503a417a527bcf260661efc36b61dbd8be08f399f54ded580a",
                          _HERITAGE + "japan-heritage_withpos.csv"),
            ReferenceFile("heritage_props_csv", "heritage", "japan-heritage_props_detail.csv",
                          "ff6b9916befbae08eb4d08bd9e8201c5729a31f8bb4a0233b3e471b84b10c5c4",
                          _HERITAGE + "japan-heritage_props_detail.csv"),
        ),
        disables_ja="日本遺産レイヤーと指標",
        disables_en="the Japan Heritage layer and indicator",
        tables=("heritage_stories", "heritage_properties"),
    ),
    Dataset(
        key="michi_no_eki",
        title_ja="「道の駅」登録一覧",
        title_en="Registered roadside stations (Michi-no-Eki)",
        publisher="国土交通省 (MLIT), via yhay81/michi-no-eki",
        as_of="2025-12-19",
        licence="公共データ利用規約（第1.0版）",
        credit_ja="出典：国土交通省『道の駅』登録一覧を加工して作成",
        credit_en="Source: MLIT list of registered Michi-no-Eki roadside stations; processed.",
        url="https://github.com/yhay81/michi-no-eki",
        files=(
            ReferenceFile("michi_no_eki_json", "michi_no_eki", "stations.json",
                          "50204b085f5bd63ba9c8adf10befc8993fee62cb7a2350685c3da106d6b75d85",
                          _MICHI + "stations.json"),
        ),
        disables_ja="道の駅の件数（地域産品の販売拠点）の指標",
        disables_en="the roadside-station count indicator",
        tables=("roadside_stations",),
    ),
)

DATASETS_BY_KEY: dict[str, Dataset] = {d.key: d for d in DATASETS}
FILES_BY_NAME: dict[str, ReferenceFile] = {f.name: f for d in DATASETS for f in d.files}


def dataset_of(file_name: str) -> Dataset:
    """The dataset a logical file name belongs to."""
    for d in DATASETS:
        if any(f.name == file_name for f in d.files):
            return d
    raise KeyError(file_name)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cached_path(ref: ReferenceFile) -> Path:
    return settings.cache_dir() / ref.folder / ref.file_name


def locate(name: str) -> Path | None:
    """Where a reference file is available locally without the network, or None.

    Raises HashMismatchError when a local copy exists but is corrupted.
    """
    ref = FILES_BY_NAME[name]
    dataset = dataset_of(name).key
    cached = _cached_path(ref)
    if cached.exists():
        found = sha256_of(cached)
        if found == ref.sha256:
            return cached
        cached.unlink()  # a broken cache entry is removed so a fresh copy can replace it
    mirror = settings.mirror_dir()
    if mirror is not None:
        candidate = mirror / ref.folder / ref.file_name
        if candidate.exists():
            found = sha256_of(candidate)
            if found != ref.sha256:
                raise HashMismatchError(dataset, str(candidate), ref.sha256, found)
            return candidate
    return None


def fetch(name: str) -> Path:
    """Path to a verified copy of a reference file: cache, then mirror, then download.

    Raises
    ------
    HashMismatchError
        A copy was found or downloaded but its sha256 is wrong (it is not used).
    DataUnavailableError
        No copy locally and the download failed or the network is off.
    """
    ref = FILES_BY_NAME[name]
    dataset = dataset_of(name).key
    local = locate(name)
    if local is not None:
        return local
    if settings.offline():
        raise DataUnavailableError(dataset, ref.file_name, "not in the cache or mirror, and REVITALIZE_OFFLINE is set")
    import pooch  # imported here: only downloads need it

    target = _cached_path(ref)
    try:
        path = pooch.retrieve(
            ref.url, known_hash=f"sha256:{ref.sha256}", fname=ref.file_name,
            path=target.parent, progressbar=False,
        )
    except ValueError as exc:  # pooch's hash mismatch; it has already deleted the file
        if "hash" in str(exc).lower():
            raise HashMismatchError(dataset, ref.url, ref.sha256, "a different file (download rejected)") from exc
        raise DataUnavailableError(dataset, ref.file_name, f"download failed: {exc}") from exc
    except Exception as exc:  # network errors of any kind: report, never crash
        raise DataUnavailableError(dataset, ref.file_name, f"download failed: {type(exc).__name__}") from exc
    return Path(path)


@dataclass(frozen=True)
class Availability:
    """Whether each dataset's files are available locally (no network is tried)."""

    dataset: Dataset
    missing: tuple[str, ...]  # file names not available
    errors: tuple[str, ...]  # messages (e.g. hash mismatch)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.errors


def availability() -> list[Availability]:
    """For every dataset, which files are available locally right now."""
    out: list[Availability] = []
    for d in DATASETS:
        missing: list[str] = []
        errors: list[str] = []
        for f in d.files:
            try:
                if locate(f.name) is None:
                    missing.append(f.file_name)
            except HashMismatchError as exc:
                errors.append(str(exc))
        out.append(Availability(d, tuple(missing), tuple(errors)))
    return out
