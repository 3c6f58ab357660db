"""The top-level Vagrantfile, checked by the real Vagrant (Debian's package): it validates
for each provider and several worker counts, names machines worker1..N, takes its
settings from Vagrantfile.local and DUCKTAPE_VAGRANT_*, and stops with one clear
message on a broken Vagrantfile.local.

VirtualBox itself is not installable here; a stand-in ``VBoxManage`` that only reports
a version lets Vagrant's VirtualBox provider load and validate its config. Vagrant's
update check is disabled, so nothing leaves the machine.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def vagrant_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "Vagrantfile", project / "Vagrantfile")
    shutil.copytree(REPO / "vagrant", project / "vagrant")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    vboxmanage = bindir / "VBoxManage"
    vboxmanage.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 7.0.14r161095 && exit 0\nexit 1\n")
    vboxmanage.chmod(vboxmanage.stat().st_mode | stat.S_IEXEC)
    return project


def vagrant(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VAGRANT_", "DUCKTAPE_VAGRANT_"))}
    home = project.parent / "home"
    home.mkdir(exist_ok=True)
    base.update({"HOME": str(home), "VAGRANT_HOME": str(project.parent / "vagrant.d"),
                 "VAGRANT_CHECKPOINT_DISABLE": "1", "VAGRANT_NO_COLOR": "1",
                 "PATH": f"{project.parent / 'bin'}:{os.environ['PATH']}"})
    base.update(env or {})
    return subprocess.run(["vagrant", *args], cwd=project, env=base, capture_output=True, text=True, timeout=300,
                          check=False)


def machines(project: Path, env: dict | None = None) -> list[str]:
    result = vagrant(project, "status", "--machine-readable", env=env)
    assert result.returncode == 0, result.stderr
    return [line.split(",")[1] for line in result.stdout.splitlines() if line.split(",")[2:3] == ["state"]]


@pytest.mark.parametrize("provider", ["virtualbox", "libvirt"])
@pytest.mark.parametrize("workers", [1, 3, 12])
def test_validates_for_each_provider_and_worker_count(vagrant_project, provider, workers):
    (vagrant_project / "Vagrantfile.local").write_text(
        f'provider = "{provider}"\nnum_workers = {workers}\nram_megabytes = 1024\nnum_cpus = 2\n'
        'virtualbox = { "linked_clone" => false }\nlibvirt = { "driver" => "qemu" }\n')
    result = vagrant(vagrant_project, "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Vagrantfile validated successfully." in result.stdout


@pytest.mark.parametrize("provider", ["virtualbox", "libvirt"])
def test_machines_are_worker1_to_n_on_the_chosen_provider(vagrant_project, provider):
    env = {"DUCKTAPE_VAGRANT_PROVIDER": provider}
    assert machines(vagrant_project, env) == ["worker1", "worker2", "worker3"]
    result = vagrant(vagrant_project, "status", "--machine-readable", env=env)
    assert f"worker1,provider-name,{provider}" in result.stdout


def test_default_provider_is_virtualbox_when_installed_else_libvirt(vagrant_project):
    status = vagrant(vagrant_project, "status", "--machine-readable")
    assert "worker1,provider-name,virtualbox" in status.stdout, status.stdout + status.stderr
    (vagrant_project.parent / "bin" / "VBoxManage").unlink()  # a machine as build.sh prepares it
    validated = vagrant(vagrant_project, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    status = vagrant(vagrant_project, "status", "--machine-readable")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "worker1,provider-name,libvirt" in status.stdout


def test_environment_overrides_vagrantfile_local(vagrant_project):
    (vagrant_project / "Vagrantfile.local").write_text("# two by default\nnum_workers = 2\n")
    assert machines(vagrant_project) == ["worker1", "worker2"]
    assert machines(vagrant_project, {"DUCKTAPE_VAGRANT_WORKERS": "4"}) == [f"worker{i}" for i in range(1, 5)]


@pytest.mark.parametrize("local,env,expected", [
    ('num_workers = 2\nbox = "debian/bookworm64\n', {}, "Vagrantfile.local line 2: unterminated string"),
    ("num_workers = 2\nnum_worker = 5\n", {}, "Vagrantfile.local: unknown setting 'num_worker'"),
    ('provider = "aws"\n', {}, "provider must be one of virtualbox, libvirt"),
    ('num_workers = "three"\n', {}, 'num_workers must be a whole number of at least 1, got "three"'),
    ('libvirt = { "driver" => "xen" }\n', {}, "libvirt setting 'driver' cannot be \"xen\""),
    ("num_workers = 2\n", {"DUCKTAPE_VAGRANT_MEMORY": "2G"}, 'DUCKTAPE_VAGRANT_MEMORY="2G" is not a whole number'),
])
def test_broken_settings_stop_vagrant_with_one_clear_message(vagrant_project, local, env, expected):
    (vagrant_project / "Vagrantfile.local").write_text(local)
    result = vagrant(vagrant_project, "validate", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("ducktape Vagrantfile: ") and expected in lines[0], result.stderr
    assert len(lines) == 2 and lines[1].startswith("hint: "), result.stderr
    assert "Vagrant failed to initialize" not in result.stderr


def test_provisioning_scripts_are_valid_shell():
    for script in sorted((REPO / "vagrant").glob("*.sh")):
        shell = "bash" if "bash" in script.read_text().splitlines()[0] else "sh"  # by the #! line
        result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"
        assert os.access(script, os.X_OK), script.name
