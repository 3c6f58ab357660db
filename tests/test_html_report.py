"""The HTML report and results index as files: one self-contained page, data embedded inertly."""
from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

from ducktape.tests.reporters.html_report import (
    embed_json,
    write_html_report,
    write_results_index,
)
from tests.support.report_factory import make_session

NASTY = '</script><script>window.__pwned=1</script><!-- <img src=x onerror="window.__pwned=2">'


class _Scripts(HTMLParser):
    """Collect the attributes and text of each <script> element, and every tag's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self.tags: list[tuple[str, dict]] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._current = dict(attrs)
            self.scripts.append((self._current, ""))

    def handle_data(self, data):
        if self._current is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._current = None


def _parse(path: Path) -> _Scripts:
    parser = _Scripts()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_embed_json_cannot_close_the_script_tag():
    text = embed_json({"id": NASTY, "line": "a\u2028b"})
    assert "<" not in text and "\u2028" not in text
    assert json.loads(text) == {"id": NASTY, "line": "a\u2028b"}


def test_report_is_one_file_with_the_data_embedded_intact(tmp_path):
    session_dir, report = make_session(tmp_path, 12, extra=[
        {"test_id": NASTY, "status": "FAIL", "summary": NASTY + "\nTraceback..."},
        {"args": {"p": "/*__SCRIPT__*/ __DATA__"}, "status": "PASS"},
    ])
    path = write_html_report(session_dir, report)
    assert path == session_dir / "report.html"
    parsed = _parse(path)
    # Exactly two scripts: the inert JSON data block and our code; the nasty id opened no third one.
    assert [attrs.get("type") for attrs, _ in parsed.scripts] == ["application/json", None]
    data = json.loads(parsed.scripts[0][1])
    assert [t["id"] for t in data["tests"]] == [r["test_id"] for r in report["results"]]
    assert data["tests"][-2]["m"].startswith(NASTY)
    assert data["tests"][-1]["a"] == {"p": "/*__SCRIPT__*/ __DATA__"}
    assert data["session"]["counts"]["FAIL"] == report["num_failed"]
    # Nothing is fetched: no external resource tags, no http(s) URL anywhere in the page
    # (the SVG namespace name, an identifier never fetched, is the one allowed).
    assert not [t for t, a in parsed.tags if t in ("link", "img", "iframe") or (t == "script" and "src" in a)]
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg')", path.read_text(encoding="utf-8"))


def test_csp_allows_only_our_inline_script(tmp_path):
    import base64
    import hashlib

    session_dir, report = make_session(tmp_path, 3)
    parsed = _parse(write_html_report(session_dir, report))
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    code = parsed.scripts[1][1]
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "unsafe-inline'; img" in csp  # inline styles only, never scripts
    assert "script-src 'unsafe-inline'" not in csp


def test_files_in_each_test_dir_are_listed_relative_to_it(tmp_path):
    session_dir, report = make_session(tmp_path, 6, nodes=3)
    extra_log = session_dir / report["results"][0]["relative_results_dir"] / "svc" / "worker9" / "deep" / "x.log"
    extra_log.parent.mkdir(parents=True)
    extra_log.write_text("x")
    data = json.loads(_parse(write_html_report(session_dir, report)).scripts[0][1])
    for row, result in zip(data["tests"], report["results"]):
        assert row["dir"] == result["relative_results_dir"]
        on_disk = sorted(str(p.relative_to(session_dir / row["dir"])) for p in (session_dir / row["dir"]).rglob("*")
                         if p.is_file())
        assert sorted(row["f"]) == on_disk
        assert "test_log.debug" in row["f"]
    assert "svc/worker9/deep/x.log" in data["tests"][0]["f"]


def test_relative_dir_falls_back_to_results_dir_and_rejects_escapes(tmp_path):
    session_dir, report = make_session(tmp_path, 2)
    first, second = report["results"]
    del first["relative_results_dir"]
    second["relative_results_dir"] = "../../etc"
    data = json.loads(_parse(write_html_report(session_dir, report)).scripts[0][1])
    assert data["tests"][0]["dir"] == first["results_dir"].rstrip("/").split(str(session_dir) + "/")[1]
    assert data["tests"][1]["dir"] is None and data["tests"][1]["f"] == []


def test_unset_times_and_upstream_shaped_reports_render(tmp_path):
    session_dir, report = make_session(tmp_path, 4, extra=[{"status": "IGNORE"}])
    for result in report["results"]:
        result.pop("nodes")  # an upstream report.json has no node names
    report["session_context"] = {"session_id": "s1", "results_dir": str(session_dir)}
    data = json.loads(_parse(write_html_report(session_dir, report)).scripts[0][1])
    ignored = data["tests"][-1]
    assert ignored["st"] == "IGNORE" and ignored["s"] is None and ignored["e"] is None and ignored["n"] == []
    assert data["session"]["id"] == "s1" and data["session"]["command"] is None


def test_index_lists_sessions_newest_first_and_skips_latest_link(tmp_path):
    make_session(tmp_path, 5, session_id="2026-11-20--001", start=1_795_000_000.0)
    make_session(tmp_path, 7, session_id="2026-11-21--001", start=1_795_100_000.0, seed=3)
    os.symlink(tmp_path / "2026-11-21--001", tmp_path / "latest")
    (tmp_path / "2026-11-21--002").mkdir()  # collect-only: no report.json
    (tmp_path / "2026-11-21--003").mkdir()
    (tmp_path / "2026-11-21--003" / "report.json").write_text("{not json")
    path = write_results_index(tmp_path)
    assert path == tmp_path / "index.html"
    data = json.loads(_parse(path).scripts[0][1])
    assert [s["dir"] for s in data["sessions"]] == ["2026-11-21--001", "2026-11-20--001"]
    assert data["sessions"][0]["total"] == 7
    assert len(data["test_ids"]) == len({*data["test_ids"]}) >= 7


def test_index_cache_follows_changes_to_a_report(tmp_path):
    session_dir, report = make_session(tmp_path, 3, session_id="s-a")
    write_results_index(tmp_path)
    report["results"][0]["test_status"] = "FAIL"
    report["num_failed"] = 99
    (session_dir / "report.json").write_text(json.dumps(report) + "\n\n")
    data = json.loads(_parse(write_results_index(tmp_path)).scripts[0][1])
    assert data["sessions"][0]["counts"]["FAIL"] == 99
    column = dict(zip(data["test_ids"], data["sessions"][0]["statuses"]))
    assert column[report["results"][0]["test_id"]] == "FAIL"
    cache = json.loads((tmp_path / ".ducktape-index-cache.json").read_text())
    assert list(cache) == ["s-a"]


def test_index_keeps_per_test_statuses_only_for_recent_sessions(tmp_path, monkeypatch):
    from ducktape.tests.reporters import html_report

    monkeypatch.setattr(html_report, "INDEX_SESSIONS", 2)
    for n in range(4):
        make_session(tmp_path, 3 + n, session_id=f"s{n}", start=1_795_000_000.0 + n * 1000, seed=0,
                     write_logs=False)
    data = json.loads(_parse(write_results_index(tmp_path)).scripts[0][1])
    assert [s["dir"] for s in data["sessions"]] == ["s3", "s2", "s1", "s0"]
    assert ["statuses" in s for s in data["sessions"]] == [True, True, False, False]
    assert data["recent"] == 2 and len(data["test_ids"]) == 6  # ids of s3 (6 tests) include s2's 5
    assert all(len(s["statuses"]) == 6 for s in data["sessions"][:2])
    assert data["sessions"][1]["statuses"].count("") == 1
