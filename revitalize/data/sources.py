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
_SMRI_FINE = "https://raw.githubusercontent.com/smartnews-smri/japan-topography/b403e71eb97f1fdf32f63d16bd485129f703855e/data/municipality/geojson/s0010/"
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


def _s0010(pref_code: str, sha256: str) -> ReferenceFile:
    """One prefecture's ward-level N03 file simplified to 1 % (folder s0010/ of the same repository)."""
    name = f"N03-21_{pref_code}_210101.json"
    return ReferenceFile(f"boundaries_fine_{pref_code}", "boundaries/s0010", name, sha256, _SMRI_FINE + name)


# what the two boundary datasets (the 0.1 % nationwide files and the 1 % per-prefecture files) have in common
_N03 = dict(
    publisher="MLIT 国土数値情報 N03 (simplified by SmartNews Media Research Institute)",
    as_of="2021-01-01",
    licence="国土数値情報利用約款 (commercial use allowed, credit required)",
    credit_ja="「国土数値情報（行政区域データ）（国土交通省）を加工して作成」",
    credit_en="Source: National Land Numerical Information (Administrative Areas), MLIT Japan; processed.",
    url="https://github.com/smartnews-smri/japan-topography",
)

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        key="boundaries",
        title_ja="行政区域（市区町村・都道府県境界）",
        title_en="Administrative boundaries (municipalities, prefectures)",
        **_N03,
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
        key="boundaries_fine",
        title_ja="行政区域（市区町村境界、1 % 簡略化、都道府県別）",
        title_en="Administrative boundaries, finer (municipalities, 1 % simplification, per prefecture)",
        **_N03,
        files=(
            _s0010("01", "510c69fe570e89c5bb16c1475361ba70631d83bc3456b5c4f3d11137a327be16"),
            _s0010("02", "37369dd1b3d7f295615b3d60e151a481049ce29d5ccf70ae86b4b7abc63bdab2"),
            _s0010("03", "68989528ae5edd025f4e964362e0dd189c9b18f4bfb7abdce572528a7677e16a"),
            _s0010("04", "79c1cfeac03ce04ff4d7305822471ec01fa138fad0536ec8873cd6972d5d6a54"),
            _s0010("05", "ee4c22da1a4050261ea53fd79df533069b39384e1aee22e59d910f848150fe92"),
            _s0010("06", "097ee664078ddc1b3f780b59efe4cfdc14d5706e4c5aa5ca969029ab61aec19a"),
            _s0010("07", "1f6421feefdbda65456f181b463c21a49794943b3f1fb987a5c1dd10aa18a905"),
            _s0010("08", "a7feb123ae75b610f4901d6ab951ac46f422eaff78fb8c4dda56fdad166400d4"),
            _s0010("09", "1f09966a517c9eb0ffdd3fec10f6d6237fac243ed73bd0a4578aa1b3dfde503e"),
            _s0010("10", "989e1c872e1660f79d65fece4f3ac775998881dd497b35d8a0365e0fdb3af767"),
            _s0010("11", "c1c8658f9e09e22b145ba3d8259336e55209ecd3b0ac1440b15e25daba7fb8ef"),
            _s0010("12", "d4b654d5b46a6e671fe1b8189ffa2797e62370cd356c43e1bc92c64e96954a1b"),
            _s0010("13", "f86d5759f7e54cc88452a848abab151b300e56b584e31cf26fbef448024436e7"),
            _s0010("14", "5987da68bc3f606e6034251f8480840ec7d1c8904152ebe42ca372d4eac44955"),
            _s0010("15", "54bb262f0a115a13227631d59669a559221c52c734b526af153fe80516e3a372"),
            _s0010("16", "cc09ba020b2474ae340bae448121a217510b5cf194e032d603807e23703eff3c"),
            _s0010("17", "6be198254a3c6caeb745ee02d5bde87bf868fa4f2c3843c32a503a8b8041d6af"),
            _s0010("18", "a4b5ecbe77eba8be589ab801b22c0fce3d069ce1aaf315330fe9c8d547755004"),
            _s0010("19", "5a9fef6e1228247f00f359d1f78767c976bc7766d466fcabeb5e16fb38b56a7a"),
            _s0010("20", "420fc40ac06be840fd33f0b28249a141c388b0d398aaf456740edd4c46eff3cd"),
            _s0010("21", "cf6ed8a1b0fdec7cc724acf632489bff4daef073c58b2f85882af6beab5a2ba2"),
            _s0010("22", "13317a4d69236cdac12cece008aaadd1296d620f36e46f03ffdbec4caad1604b"),
            _s0010("23", "16ab0ee56d6653014544c3f28fc1399d72fdad82dd9d4d8ad50f68f1bfad6ede"),
            _s0010("24", "3e4e85ec10a9d73a0a51ce9c83378f7ecd9e1ed042c986bffc762d96ffb704fa"),
            _s0010("25", "2c41e7367638f6112457c1d9378aa693a4720ed42d70507aaf97212b131f8578"),
            _s0010("26", "2a3484dc3a24b084020450d9bd28f57834a50843253d8fd93e93fea6fa2572c5"),
            _s0010("27", "646c34aa4e70dedf650596bd4655d846b47882b43abafb61f5a0914cecf40991"),
            _s0010("28", "624f1f728869249b31f43a3dd16756b11efc07ea774360810a4ffc1263f4b732"),
            _s0010("29", "a16a728c570b2ce6536cdf648fd0ee4e9066f05c8956659fd9ee65ad15fcbba9"),
            _s0010("30", "4c71e870e28a9b5b524f553069b2db040a33d7d37a1f25b6de5c0cb012eae6fd"),
            _s0010("31", "daad4ac1d69b8c82845197b8468484f9dc5239916f5c71d5b79a4b0af2842d01"),
            _s0010("32", "4625e774ca489b0a5ff2d926fcb7bc491bf2a67bccd3669c361d544914ab2716"),
            _s0010("33", "9d6382f4c3b5a81b405b31529ba7f97c7f2f4e50a05e000b1496d6f85e7056a9"),
            _s0010("34", "9ffa78eb289d4504820be5a23ce5af1f58bddb36f878686908e2cc9310dc48e9"),
            _s0010("35", "476d9e9673108316323489ca5a0e6cec2dda87dacd118c84ecf585fc446684b3"),
            _s0010("36", "a0bb7762ec8ef9f032fe95f2fa72473b8fbe9298931dc09110061b9c0259eb40"),
            _s0010("37", "ad022ac06e82ea0129f10035cb82be9556d6250955580bf075fef9d86704f2e9"),
            _s0010("38", "1edb6d36ebfea88994f049f307e84e5fbf07c412e9f22ace2e495f303a868807"),
            _s0010("39", "9080df783ff778b9bd5952ca569392136936880c10fd5fdffb765384a4a061c4"),
            _s0010("40", "bfc6ffda3a638c1ac6f700fb6131e2b7f4fda50be6d3abbe740523a5daef0fcc"),
            _s0010("41", "526bb5ee55d1cec60bc77ea2eb69ae6b5be7275ad77e82932380a307934ad2eb"),
            _s0010("42", "6f2c442365d29397fdd97731c3669f1eb7b0f67c86542b6f09b0ad7521fd3b61"),
            _s0010("43", "a59129d00da897ea20c21cdc4350dcd532e820b6b5bf09b07b54a21d7c40006c"),
            _s0010("44", "a58609bae3623dacf2acb47e0b27bb85e91afeb8849004fc29d11d56e019def1"),
            _s0010("45", "62de6934ae891ef8112312aa9e226e580889c721b8dffb3cf67a07b3905e7afc"),
            _s0010("46", "7c9bba5bfc0f5c7e8a26a3ca5fb84dbcd1d8894ad5a2198fbffccbca7e4fc408"),
            _s0010("47", "853eeec5fe36670835864cfb552656fdf25b8b3b8927b2dd86ecb5130663a041"),
        ),
        disables_ja="小さな島の8町村（利島村・青ヶ島村・日吉津村・上島町・姫島村・座間味村・粟国村・渡名喜村）の境界"
                    "（地図・スコア地図・ポートフォリオから外れます）と、1市区町村の地図の詳しい境界線",
        disables_en="the polygons of 8 small island municipalities (Toshima, Aogashima, Hiezu, Kamijima, Himeshima, "
                    "Zamami, Aguni, Tonaki: left off every map, the scoring map and the portfolio) and the finer "
                    "outline of single-municipality maps",
        tables=("municipality_outlines",),
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
