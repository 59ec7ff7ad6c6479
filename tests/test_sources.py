"""The registry and fetching: cache, mirror, hash checks, offline behaviour."""

import shutil
from pathlib import Path

import pytest

from revitalize.core.errors import DataUnavailableError, HashMismatchError
from revitalize.data import sources


def test_every_registry_url_is_pinned_to_a_commit_and_hash_is_sha256():
    for ds in sources.DATASETS:
        assert ds.credit_ja and ds.credit_en and ds.as_of and ds.licence
        for f in ds.files:
            assert len(f.sha256) == 64 and all(c in "0123456789abcdef" for c in f.sha256)
            commit = f.url.split("/")[5]
            assert len(commit) == 40, f.url  # raw.githubusercontent.com/<owner>/<repo>/<commit>/...


def test_registry_hashes_match_the_mirror(mirror):
    for ds in sources.DATASETS:
        for f in ds.files:
            assert sources.sha256_of(mirror / f.folder / f.file_name) == f.sha256, f.file_name


def test_fetch_uses_the_mirror(mirror, isolated_env, monkeypatch):
    monkeypatch.setenv("REVITALIZE_DATA_MIRROR", str(mirror))
    path = sources.fetch("census_csv")
    assert path == mirror / "population" / "census_1980_2020_municipal.csv"


def test_corrupted_mirror_file_is_rejected_naming_the_dataset(mirror, isolated_env, monkeypatch):
    fake = isolated_env / "mirror"
    shutil.copytree(mirror, fake)
    target = fake / "population" / "census_1980_2020_municipal.csv"
    target.chmod(0o644)
    target.write_bytes(target.read_bytes()[:-10] + b"9999999999")
    monkeypatch.setenv("REVITALIZE_DATA_MIRROR", str(fake))
    with pytest.raises(HashMismatchError) as exc:
        sources.fetch("census_csv")
    assert "population" in str(exc.value) and "census_1980_2020_municipal.csv" in str(exc.value)


def test_corrupted_cache_entry_is_removed_and_mirror_used(mirror, isolated_env, monkeypatch):
    ref = sources.FILES_BY_NAME["michi_no_eki_json"]
    cached = Path(isolated_env / "cache" / ref.folder / ref.file_name)
    cached.parent.mkdir(parents=True)
    cached.write_text("[]")
    monkeypatch.setenv("REVITALIZE_DATA_MIRROR", str(mirror))
    assert sources.fetch("michi_no_eki_json") == mirror / ref.folder / ref.file_name
    assert not cached.exists()


def test_offline_without_mirror_says_what_is_missing_and_how_to_get_it(isolated_env):
    with pytest.raises(DataUnavailableError) as exc:
        sources.fetch("census_csv")
    msg = str(exc.value)
    assert "population" in msg and "REVITALIZE_DATA_MIRROR" in msg


def test_availability_lists_every_dataset_as_missing_when_nothing_is_local(isolated_env):
    av = sources.availability()
    assert {a.dataset.key for a in av} == {d.key for d in sources.DATASETS}
    assert all(not a.ok and a.missing for a in av)


def test_download_hash_mismatch_is_reported(isolated_env, monkeypatch):
    """pooch's own hash check: a wrong file from the network is rejected with our error."""
    import pooch

    monkeypatch.delenv("REVITALIZE_OFFLINE")

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        raise ValueError(f"SHA256 hash of downloaded file ({fname}) does not match the known hash")

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(HashMismatchError) as exc:
        sources.fetch("census_csv")
    assert "population" in str(exc.value)
