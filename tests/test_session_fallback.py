"""With no cluster file and no Vagrantfile the session says, on the console, that it runs on LocalhostCluster."""
from __future__ import annotations

from tests.support.suites import run_ducktape, write_suite

SUITE = """
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test

class NoticeTest(Test):
    @cluster(num_nodes=1)
    def test_node_name(self):
        return {"free": self.test_context.cluster.num_available_nodes()}
"""


def test_fallback_notice_reaches_the_console_and_session_log(tmp_path):
    write_suite(tmp_path, {"pkg/test_notice.py": SUITE})
    proc = run_ducktape(["pkg"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "running on LocalhostCluster" in proc.stdout
    session_log = (tmp_path / "results" / "latest" / "session_log.info").read_text()
    assert "running on LocalhostCluster" in session_log


def test_a_vagrantfile_means_vagrant_and_its_absence_is_one_clear_error(tmp_path):
    write_suite(tmp_path, {"pkg/test_notice.py": SUITE})
    (tmp_path / "Vagrantfile").write_text("# no vagrant here\n")
    proc = run_ducktape(["pkg"], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert "running on LocalhostCluster" not in proc.stdout
    # with Vagrant installed it finds no running machine; without it, says to install it
    assert ("no Vagrant machine is running" in proc.stderr or "cannot run vagrant" in proc.stderr), proc.stderr
    assert "hint:" in proc.stderr
    assert "Traceback" not in proc.stderr
