"""Built-in defaults of the ducktape command (paths are relative to the current directory)."""
from __future__ import annotations

import os


class ConsoleDefaults:
    """Default paths, cluster class and log formats."""

    DUCKTAPE_DIR = ".ducktape"
    METADATA_DIR = os.path.join(DUCKTAPE_DIR, "metadata")
    PROJECT_CONFIG_FILE = os.path.join(DUCKTAPE_DIR, "config")
    USER_CONFIG_FILE = os.path.join("~", DUCKTAPE_DIR, "config")
    CLUSTER_TYPE = "ducktape.cluster.vagrant.VagrantCluster"
    CLUSTER_FILE = os.path.join(DUCKTAPE_DIR, "cluster.json")
    SESSION_ID_FILE = os.path.join(METADATA_DIR, "session_id")
    RESULTS_ROOT_DIRECTORY = "./results"
    SESSION_LOG_FORMATTER = "[%(levelname)s:%(asctime)s]: %(message)s"
    TEST_LOG_FORMATTER = (
        "[%(levelname)-5s - %(asctime)s - %(module)s - %(funcName)s - lineno:%(lineno)s]: %(message)s"
    )
    BAD_TEST_MESSAGE = "BAD_TEST"
    TEST_DRIVER_MIN_PORT = 5556
    TEST_DRIVER_MAX_PORT = 5656
