"""`audit resources --fetch counterfit`: constraints from a folder or a checked download, a build
cached by its inputs' hashes, found by the catalog (or turned off), and the note on which vectors
the word swaps use."""

from __future__ import annotations

import hashlib
import io
import json
import urllib.error

import numpy as np
import pytest
from click.testing import CliRunner
from counterfit_inputs import write_constraints, write_glove

from audit import cli as cli_module
from audit.cli import main
from audit.resources import catalog, counterfit_store
from audit.resources.vectors import COUNTERFITTED, FALLBACK, choose, read_vectors


@pytest.fixture()
def env(monkeypatch, tmp_path):
    """An empty audit cache dir, a tiny GloVe file as AUDIT_GLOVE, and a folder of tiny constraints."""
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("AUDIT_COUNTERFIT", "AUDIT_COUNTERFIT_CONSTRAINTS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AUDIT_GLOVE", write_glove(tmp_path / "glove.txt"))
    monkeypatch.setitem(cli_module.COMMANDS, "resources", ("audit.cli.resources_cmd", "resources", "Resources."))
    return tmp_path, write_constraints(tmp_path / "constraints")


def cli(*args):
    return CliRunner().invoke(main, ["resources", *args], catch_exceptions=True)


def test_build_is_cached_by_its_inputs_and_found_by_the_catalog(env):
    tmp_path, constraints = env
    assert not catalog.locate("counterfit").present
    lines: list[str] = []
    first = counterfit_store.build(str(tmp_path / "glove.txt"), constraints, lines.append)
    found = catalog.locate("counterfit")
    assert found.present and found.path == str(first) and found.source == "built"
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["params"]["delta"] == 1.0 and manifest["params"]["iterations"] == 20
    assert manifest["stats"]["antonym_pairs"] == 2 * 64 and not manifest["published_constraints"]
    words, vectors = read_vectors(first)
    assert words[:2] == ["great", "wonderful"] and vectors.shape == (24, 8)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)

    assert counterfit_store.build(str(tmp_path / "glove.txt"), constraints, lines.append) == first
    assert "up to date" in lines[-1]
    (constraints / "ppdb_synonyms.txt").write_text("great fun\n", encoding="utf-8")
    second = counterfit_store.build(str(tmp_path / "glove.txt"), constraints, lines.append)
    assert second != first and catalog.locate("counterfit").path == str(second)


def test_fetch_from_a_folder_offline_then_listed(env):
    tmp_path, constraints = env
    res = cli("--fetch", "counterfit", "--constraints", str(constraints))
    assert res.exit_code == 0, res.output
    assert "ready at" in res.output and "differ from the published constraints" in res.output
    listed = cli().output
    assert "counterfit        present" in listed and "(built)" in listed
    assert "textfooler   ready" in listed
    again = cli("--fetch", "counterfit")  # offline, no constraints at hand: the build stands, no download tried
    assert again.exit_code == 0 and "already built at" in again.output and "Downloading" not in again.output


def test_fetch_reads_the_constraints_variable(env, monkeypatch):
    _, constraints = env
    monkeypatch.setenv("AUDIT_COUNTERFIT_CONSTRAINTS", str(constraints))
    assert cli("--fetch", "counterfit").exit_code == 0
    monkeypatch.setenv("AUDIT_COUNTERFIT_CONSTRAINTS", str(constraints / "nothing"))
    res = cli("--fetch", "counterfit")  # the cached build is still checked against the inputs: they are missing
    assert res.exit_code == 2 and "lacks ppdb_synonyms.txt, ppdb_antonyms.txt, wordnet_antonyms.txt" in res.output


def _serve(monkeypatch, folder, fail: Exception | None = None):
    """urlopen answering from ``folder`` (by file name), or raising ``fail``; returns the URLs asked."""
    asked: list[str] = []

    def urlopen(url, timeout=None):
        asked.append(url)
        if fail:
            raise fail
        return io.BytesIO((folder / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(counterfit_store.urllib.request, "urlopen", urlopen)
    return asked


def test_download_is_pinned_and_checked(env, monkeypatch):
    _, constraints = env
    sums = {f: hashlib.sha256((constraints / f).read_bytes()).hexdigest() for f in counterfit_store.PUBLISHED}
    monkeypatch.setattr(counterfit_store, "PUBLISHED", sums)
    asked = _serve(monkeypatch, constraints)
    res = cli("--fetch", "counterfit")
    assert res.exit_code == 0, res.output
    assert len(asked) == 3 and all(counterfit_store.COMMIT in url for url in asked)
    assert "differ from the published" not in res.output
    (constraints / "ppdb_antonyms.txt").write_text("great awful\n", encoding="utf-8")
    monkeypatch.setattr(counterfit_store, "PUBLISHED", {**sums, "ppdb_antonyms.txt": "0" * 64})
    res = cli("--fetch", "counterfit")
    assert res.exit_code == 2 and "does not match its published SHA-256" in res.output


def test_offline_fetch_is_one_line_with_the_manual_way(env, monkeypatch):
    _serve(monkeypatch, env[1], fail=urllib.error.URLError("no network"))
    res = cli("--fetch", "counterfit")
    line = res.output.strip().splitlines()[-1]  # after the "Downloading ..." line
    assert res.exit_code == 2 and line.startswith("Error: Could not fetch counterfit (<urlopen error no network>)")
    assert "AUDIT_COUNTERFIT_CONSTRAINTS" in line and "Traceback" not in res.output


def test_constraints_only_with_fetch_counterfit(env):
    res = cli("--fetch", "stopwords", "--constraints", str(env[1]))
    assert res.exit_code == 2 and "--constraints goes with --fetch counterfit" in res.output


def test_a_resource_can_be_turned_off(env, monkeypatch):
    tmp_path, constraints = env
    counterfit_store.build(str(tmp_path / "glove.txt"), constraints, lambda _: None)
    assert not catalog.locate("counterfit", {"counterfit": False}).present
    assert catalog.locate("counterfit", {"counterfit": "off"}).source == "config: turned off"
    monkeypatch.setenv("AUDIT_COUNTERFIT", "off")
    assert not catalog.locate("counterfit").present
    monkeypatch.setenv("AUDIT_COUNTERFIT", str(tmp_path / "glove.txt"))  # any counter-fitted .txt will do
    assert catalog.locate("counterfit").path == str(tmp_path / "glove.txt")


def test_the_note_says_which_vectors_the_swaps_use():
    assert choose({"counterfit": "c", "glove": "g", "synonyms": "s"}) == ("counterfit", COUNTERFITTED)
    assert choose({"glove": "g"}) == ("glove", FALLBACK)
    assert "plain GloVe neighbours, not counter-fitted: run `audit resources --fetch counterfit`" in FALLBACK
    name, note = choose({"synonyms": "s", "glove": "g"})
    assert name == "glove" and note.startswith("swaps from the synonym pairs") and "--fetch counterfit" in note
    assert choose({"stopwords": "x"}) == (None, "")
