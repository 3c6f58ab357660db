"""Judge what a workload did: record operation histories, then check them (linearizability of
registers, sets, counters). Pure functions over histories; nothing here touches a cluster."""
from ducktape.checkers.counter import check_counter
from ducktape.checkers.history import load_history, validate_history
from ducktape.checkers.linearizable import check_linearizable
from ducktape.checkers.operations import Operation, operations
from ducktape.checkers.recorder import HistoryRecorder
from ducktape.checkers.result import CheckResult
from ducktape.checkers.sets import check_set
from ducktape.checkers.storage import collect_history, history_dir

__all__ = ["CheckResult", "HistoryRecorder", "Operation", "check_counter", "check_linearizable", "check_set",
           "collect_history", "history_dir", "load_history", "operations", "validate_history"]
