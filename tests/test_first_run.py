"""A newcomer's first commands, run from the clone's root with its own Vagrantfile, the real
Vagrant installed and no machine created: the embedded cluster is used, explicit choices
are obeyed, and every error names its cause (no raw Vagrant records, no empty sessions)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ducktape.cluster.factory import LOCALHOST_CLUSTER, implicit_cluster
from ducktape.cluster.vagrant import created_machines, machine_readable_error
from ducktape.errors import UsageError
from tests.support.suites import REPO_ROOT, run_ducktape

VAGRANT_CLUSTER = "ducktape.cluster.vagrant.VagrantCluster"


@pytest.fixture
def clean_env(tmp_path: Path) -> dict:
    """HOME and Vagrant's state outside the clone; the results root in *tmp_path*."""
    assert shutil.which("vagrant"), "build.sh installs vagrant"
    (tmp_path / "home").mkdir()
    return {"HOME": str(tmp_path / "home"), "VAGRANT_HOME": str(tmp_path / "vagrant.d"),
            "VAGRANT_CHECKPOINT_DISABLE": "1", "VAGRANT_NO_COLOR": "1"}


def session_dirs(results: Path) -> list[Path]:
    return [p for p in results.iterdir() if p.is_dir() and not p.is_symlink()] if results.exists() else []


def test_hello_from_the_repository_root_runs_on_the_embedded_cluster(tmp_path, clean_env):
    assert (REPO_ROOT / "Vagrantfile").exists()
    results = tmp_path / "results"
    proc = run_ducktape(["--results-root", str(results), "examples/hello"], cwd=REPO_ROOT, env=clean_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    notices = [line for line in proc.stdout.splitlines() if "Vagrantfile" in line]
    assert len(notices) == 1, proc.stdout
    assert "none of its machines is up" in notices[0] and "running on LocalhostCluster" in notices[0]
    assert "'vagrant up'" in notices[0] and f"--cluster {VAGRANT_CLUSTER}" in notices[0]
    assert "PASS" in proc.stdout and "FAIL" not in proc.stdout
    assert (results / "latest" / "report.html").exists()


def test_hello_from_the_root_of_a_fresh_clone(tmp_path, clean_env):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True, timeout=120,
                   capture_output=True)
    assert (clone / "Vagrantfile").exists() and not (clone / ".vagrant").exists()
    proc = run_ducktape(["examples/hello"], cwd=clone, env=clean_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "none of its machines is up" in proc.stdout and "running on LocalhostCluster" in proc.stdout
    assert (clone / "results" / "latest" / "report.html").exists()


def test_explicit_vagrant_cluster_shows_vagrants_error_as_text(tmp_path, clean_env):
    results = tmp_path / "results"
    env = {**clean_env, "DUCKTAPE_VAGRANT_PROVIDER": "virtualbox"}  # not installed here: Vagrant refuses
    proc = run_ducktape(["--results-root", str(results), "--cluster", VAGRANT_CLUSTER, "examples/hello"],
                        cwd=REPO_ROOT, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "'vagrant status'" in proc.stderr and "Vagrant could not detect VirtualBox!" in proc.stderr
    assert "VirtualBox, and requires" in proc.stderr, proc.stderr
    assert "%!(VAGRANT_COMMA)" not in proc.stderr and "\\n" not in proc.stderr
    assert "error-exit" not in proc.stderr and "Traceback" not in proc.stderr
    assert session_dirs(results) == []  # the failed start left no empty session directory


def test_explicit_vagrant_cluster_with_the_default_provider_says_vagrant_up(tmp_path, clean_env):
    results = tmp_path / "results"
    proc = run_ducktape(["--results-root", str(results), "--cluster", VAGRANT_CLUSTER, "examples/hello"],
                        cwd=REPO_ROOT, env=clean_env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no Vagrant machine is running" in proc.stderr and "worker1: not_created" in proc.stderr
    assert "hint: run 'vagrant up'" in proc.stderr
    assert session_dirs(results) == []


def test_a_missing_cluster_file_is_named_not_a_vagrant_error(tmp_path, clean_env):
    results = tmp_path / "results"
    proc = run_ducktape(["--results-root", str(results), "--cluster-file", "nope.json", "examples/hello"],
                        cwd=REPO_ROOT, env=clean_env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "ducktape: --cluster-file nope.json: the file does not exist" in proc.stderr
    assert "vagrant" not in proc.stderr.lower(), proc.stderr
    assert session_dirs(results) == []


def test_a_wrong_method_name_is_one_error_without_warnings(tmp_path, clean_env):
    results = tmp_path / "results"
    proc = run_ducktape(["--results-root", str(results), "examples/hello/test_hello.py::HelloTest.nope"],
                        cwd=REPO_ROOT, env=clean_env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == "ducktape: no test method 'nope' in class 'HelloTest'", proc.stderr
    assert "No tests loaded" not in proc.stdout + proc.stderr
    assert "Didn't find any tests" not in proc.stdout + proc.stderr
    assert session_dirs(results) == []


def test_vagrants_own_record_decides(tmp_path, monkeypatch, caplog):
    import logging

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VAGRANT_DOTFILE_PATH", raising=False)
    notice = logging.getLogger("test_first_run")
    (tmp_path / "Vagrantfile").write_text("")
    (tmp_path / ".vagrant" / "machines" / "worker2" / "libvirt").mkdir(parents=True)  # destroyed: no id
    assert created_machines() == []
    assert implicit_cluster(None, 3, notice) == LOCALHOST_CLUSTER
    for name in ("worker10", "worker2"):
        record = tmp_path / ".vagrant" / "machines" / name / "libvirt"
        record.mkdir(parents=True, exist_ok=True)
        (record / "id").write_text("0f3c")
    assert created_machines() == ["worker2", "worker10"]
    assert implicit_cluster(None, 3, notice) == VAGRANT_CLUSTER
    assert implicit_cluster("later.json", 3, notice) == VAGRANT_CLUSTER  # VagrantCluster writes it
    monkeypatch.setenv("VAGRANT_DOTFILE_PATH", str(tmp_path / "elsewhere"))
    assert created_machines() == []
    with pytest.raises(UsageError, match="nope.json: the file does not exist"):
        implicit_cluster("nope.json", 3, notice)
    os.remove(tmp_path / "Vagrantfile")
    (tmp_path / "here.json").write_text('{"nodes": []}')
    assert implicit_cluster("here.json", 3, notice) == VAGRANT_CLUSTER  # upstream's default reads the file


def test_machine_readable_error_records_become_text():
    record = ("1796533327,,ui,error,ignored\n"
              "1796533327,,error-exit,Vagrant::Errors::ProviderNotUsable,The provider 'virtualbox' is not usable."
              "\\nVagrant uses `VBoxManage`%!(VAGRANT_COMMA) and requires\\nit on the PATH.\n")
    assert machine_readable_error(record) == ("The provider 'virtualbox' is not usable. Vagrant uses `VBoxManage`, "
                                              "and requires it on the PATH.")
    assert machine_readable_error("1,worker1,state,running\n") is None


def test_build_sh_example_twice_skips_pip_and_names_the_sessions_report(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path)}
    runs = [subprocess.run(["./build.sh", "example"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                           timeout=600, check=False) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
    second = runs[1].stdout.splitlines()
    assert second[0].startswith("build.sh: .venv is up to date (pip skipped"), runs[1].stdout
    assert "installing" not in runs[1].stdout
    reports = [run.stdout.splitlines()[-1] for run in runs]
    assert all(line.startswith("report: ") for line in reports), reports
    paths = [Path(line.split(" ", 1)[1]) for line in reports]
    assert paths[0] != paths[1] and all(p.is_file() and p.name == "report.html" for p in paths)
    assert "latest" not in str(paths[1]) and paths[1].parent == (REPO_ROOT / "results" / "latest").resolve()
