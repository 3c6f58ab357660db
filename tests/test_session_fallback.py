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


def test_a_vagrantfile_without_machines_runs_on_localhost_and_says_how_to_use_it(tmp_path):
    write_suite(tmp_path, {"pkg/test_notice.py": SUITE})
    (tmp_path / "Vagrantfile").write_text("# no machine of it was ever created\n")
    (tmp_path / ".vagrant" / "machines" / "worker1" / "libvirt").mkdir(parents=True)  # destroyed: no id left
    proc = run_ducktape(["pkg"], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    notices = [line for line in proc.stdout.splitlines() if "Vagrantfile" in line]
    assert len(notices) == 1, proc.stdout
    assert "none of its machines is up" in notices[0] and "'vagrant up'" in notices[0]
    assert "--cluster ducktape.cluster.vagrant.VagrantCluster" in notices[0]
    assert "running on LocalhostCluster" in notices[0]


def test_an_explicit_vagrant_cluster_is_obeyed(tmp_path):
    write_suite(tmp_path, {"pkg/test_notice.py": SUITE})
    (tmp_path / "Vagrantfile").write_text("# no vagrant here\n")
    proc = run_ducktape(["--cluster", "ducktape.cluster.vagrant.VagrantCluster", "pkg"], cwd=tmp_path,
                        env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert "running on LocalhostCluster" not in proc.stdout
    # with Vagrant installed it finds no running machine; without it, says to install it
    assert ("no Vagrant machine is running" in proc.stderr or "cannot run vagrant" in proc.stderr), proc.stderr
    assert "hint:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not [p for p in (tmp_path / "results").iterdir() if p.is_dir()]  # no empty session left behind
