"""A cluster class receives its own settings from the cluster file's "settings" object."""
from __future__ import annotations

import json

import pytest

from ducktape.cluster.cluster_file import ClusterFileError, settings_kwargs
from ducktape.cluster.factory import make_cluster
from ducktape.cluster.json import JsonCluster
from ducktape.cluster.localhost import LocalhostCluster


class SettingsCluster(LocalhostCluster):
    """A real cluster (local nodes) that asks for its settings."""

    def __init__(self, cluster_file=None, settings=None, **kwargs):
        super().__init__(num_nodes=int((settings or {}).get("nodes", 1)))
        self.settings = settings


class KwargsCluster(LocalhostCluster):
    """Takes **kwargs but does not name settings: built as before, without them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kwargs = kwargs


def _write(tmp_path, content) -> str:
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(content))
    return str(path)


def test_a_class_naming_settings_gets_the_files_settings_object(tmp_path):
    path = _write(tmp_path, {"settings": {"nodes": 2, "region": "eu-north-1"}, "nodes": []})
    cluster = make_cluster({"cluster": f"{__name__}.SettingsCluster", "cluster_file": path})
    assert cluster.settings == {"nodes": 2, "region": "eu-north-1"} and len(cluster) == 2
    assert make_cluster({"cluster": f"{__name__}.SettingsCluster", "cluster_file": None}).settings == {}
    missing = str(tmp_path / "absent.json")
    assert settings_kwargs(SettingsCluster, missing) == {"settings": {}}


def test_classes_that_do_not_ask_are_built_as_before(tmp_path, loopback_sshd):
    path = _write(tmp_path, {"settings": {"x": 1}, "nodes": [{"ssh_config": loopback_sshd.ssh_config("n0")}]})
    cluster = make_cluster({"cluster": f"{__name__}.KwargsCluster", "cluster_file": path})
    assert "settings" not in cluster.kwargs and cluster.kwargs["cluster_file"] == path
    assert settings_kwargs(JsonCluster, path) == {}
    json_cluster = make_cluster({"cluster": "ducktape.cluster.json.JsonCluster", "cluster_file": path})
    assert len(json_cluster) == 1  # the settings key does not disturb the nodes


def test_settings_that_are_not_an_object_name_the_file(tmp_path):
    path = _write(tmp_path, {"settings": ["eu-north-1"], "nodes": []})
    with pytest.raises(ClusterFileError) as raised:
        make_cluster({"cluster": f"{__name__}.SettingsCluster", "cluster_file": path})
    assert path in str(raised.value) and "'settings' must be an object" in str(raised.value)
