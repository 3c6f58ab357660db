"""The ``client`` and ``agent-client`` verbs: REST calls, printed the way Trogdor's CLI does."""
from __future__ import annotations

import argparse
import datetime
import json
import re
import urllib.parse
from typing import Any

from ducktape.trogdor.cli_common import UsageError, parse_spec_argument
from ducktape.trogdor.rest import RestClient, RestError, read_token


def add_parsers(verbs: Any) -> None:
    """Add ``client`` and ``agent-client`` with their verbs to the top-level parser.

    Trogdor's own spellings work too: ``-t/--target`` after the command, ``--json``,
    ``-S``/``--show-status``, ``--id-pattern``, ``--workerId`` and ``--taskId``.
    """
    client = verbs.add_parser("client", help="talk to a coordinator")
    _common(client, None)
    cmds = client.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    cmds.required = True
    for verb in ("uptime", "status"):
        _json(_common(cmds.add_parser(verb, help=f"the coordinator's {verb}")))
    p = _json(_common(cmds.add_parser("showTask", help="one task's state")))
    p.add_argument("-i", "--id", required=True)
    p.add_argument("-S", "--show-status", action="store_true", help="also print the task's status")
    p.add_argument("-v", "--verbose", action="store_true", help="also print the spec and the status")
    p = _json(_common(cmds.add_parser("showTasks", help="a table of tasks (exit 1 when none match)")))
    ids = p.add_mutually_exclusive_group()
    ids.add_argument("-i", "--id", action="append", default=[], help="only these task ids (repeatable)")
    ids.add_argument("--id-pattern", help="only task ids matching this regular expression (whole id)")
    for flag in ("--first-start-ms", "--last-start-ms", "--first-end-ms", "--last-end-ms"):
        p.add_argument(flag, type=int, default=0)
    p.add_argument("-s", "--state", choices=["PENDING", "RUNNING", "STOPPING", "DONE"])
    p = _common(cmds.add_parser("createTask", help="create a task"))
    p.add_argument("-i", "--id", required=True)
    p.add_argument("-s", "--spec", required=True, help="spec file, @file or inline JSON")
    for verb in ("stopTask", "destroyTask"):
        _common(cmds.add_parser(verb, help=f"{verb[:-4]} a task")).add_argument("-i", "--id", required=True)
    p = _common(cmds.add_parser("shutdown", help="stop the coordinator"))
    p.add_argument("--stop-agents", action="store_true")

    agent = verbs.add_parser("agent-client", help="talk to one agent")
    _common(agent, None)
    cmds = agent.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    cmds.required = True
    for verb in ("uptime", "status"):
        _json(_common(cmds.add_parser(verb, help=f"the agent's {verb}")))
    p = _common(cmds.add_parser("createWorker", help="create a worker"))
    _worker_id(p)
    p.add_argument("--task-id", "--taskId", dest="task_id", required=True)
    p.add_argument("-s", "--spec", required=True, help="spec file, @file or inline JSON")
    for verb in ("stopWorker", "destroyWorker"):
        _worker_id(_common(cmds.add_parser(verb, help=f"{verb[:-6]} a worker")))
    _common(cmds.add_parser("shutdown", help="stop the agent"))


def _common(parser: argparse.ArgumentParser, default: Any = argparse.SUPPRESS) -> argparse.ArgumentParser:
    """``--target`` and ``--token-file``, before the command (ours) or after it (Trogdor's)."""
    parser.add_argument("--target", "-t", default=default, help="HOST:PORT of the agent or coordinator")
    parser.add_argument("--token-file", default=default,
                        help="file holding the bearer token (none: send no token, for a daemon "
                             "started with --allow-unauthenticated)")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    return parser


def _json(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--json", action="store_true", help="print the raw JSON answer")
    return parser


def _worker_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--worker-id", "--workerId", dest="worker_id", type=int, required=True)


def run(args: argparse.Namespace) -> int:
    """Run one client verb; 0 on success, 1 when the server said no or could not be reached."""
    if not args.target:
        raise UsageError("--target HOST:PORT is required; hint: give the agent's or coordinator's address")
    host, _, port = args.target.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--target must be HOST:PORT, got {args.target!r}")
    token = None
    if args.token_file:
        try:
            token = read_token(args.token_file)
        except OSError as e:
            raise UsageError(f"cannot read token file {args.token_file}: {e.strerror}") from None
        except ValueError as e:
            raise UsageError(str(e)) from None
    if getattr(args, "id_pattern", None) is not None:
        try:
            args.id_pattern = re.compile(args.id_pattern)
        except re.error as e:
            raise UsageError(f"--id-pattern {args.id_pattern!r} is not a regular expression: {e}") from None
    client = RestClient(host, int(port), token)
    try:
        if args.verb == "client":
            return _coordinator_verb(client, args)
        return _agent_verb(client, args)
    except RestError as e:
        other = _other_role(client, args.verb) if e.code == 404 else ""
        print(f"error: {e.code}: {e.message}" + (f"; {args.target} is {other}" if other else ""))
        return 1
    except OSError as e:
        print(f"error: cannot reach {args.target}: {getattr(e, 'reason', e)}; hint: is it running? check --target")
        return 1


def _coordinator_verb(client: RestClient, args: argparse.Namespace) -> int:
    command = args.command
    if command in ("uptime", "status") and args.json:
        print(json.dumps(client.get(f"/coordinator/{command}")))
    elif command in ("uptime", "status"):
        print(_uptime_text("Coordinator", args.target, client.get("/coordinator/uptime")))
    elif command == "showTask":
        state = client.get(f"/coordinator/tasks/{urllib.parse.quote(args.id, safe='')}")
        if args.json:
            print(json.dumps(state))
            return 0
        print(task_line(args.id, state))
        if args.verbose:
            print("Spec: " + json.dumps(state.get("spec"), indent=2, sort_keys=True))
        if args.show_status or args.verbose:
            print("Status: " + json.dumps(state.get("status"), indent=2, sort_keys=True))
    elif command == "showTasks":
        query = {"taskId": args.id, "firstStartMs": args.first_start_ms, "lastStartMs": args.last_start_ms,
                 "firstEndMs": args.first_end_ms, "lastEndMs": args.last_end_ms}
        if args.state:
            query["state"] = args.state
        tasks = client.get("/coordinator/tasks", **query)["tasks"]
        if args.id_pattern is not None:
            tasks = {tid: s for tid, s in tasks.items() if args.id_pattern.fullmatch(tid)}
        if args.json:
            print(json.dumps({"tasks": tasks}))
        else:
            print(_table(["ID", "TYPE", "STATE", "INFO"],
                         [[tid, s["spec"]["class"], s["state"], _task_info(s)] for tid, s in tasks.items()]))
        return 0 if tasks else 1  # as Trogdor's client: nothing matched is a failure
    else:
        _send(client, _COORDINATOR_REQUESTS[command](args))
    return 0


def _agent_verb(client: RestClient, args: argparse.Namespace) -> int:
    command = args.command
    if command in ("uptime", "status") and args.json:
        print(json.dumps(client.get(f"/agent/{command}")))
    elif command == "uptime":
        print(_uptime_text("Agent", args.target, client.get("/agent/uptime")))
    elif command == "status":
        status = client.get("/agent/status")
        print(f"Agent is running at {args.target}.\n\tStart time: {fmt_time(status['serverStartMs'])}")
        print(_table(["WORKER_ID", "TASK_ID", "STATE", "TASK_TYPE"],
                     [[wid, w["taskId"], w["state"], w["spec"]["class"]] for wid, w in status["workers"].items()]))
    else:
        _send(client, _AGENT_REQUESTS[command](args))
    return 0


# Verbs that send one request and say so: args -> (method, path, body, query, what was sent)
_COORDINATOR_REQUESTS = {
    "createTask": lambda a: ("POST", "/coordinator/task/create", {"id": a.id, "spec": parse_spec_argument(a.spec)},
                             None, f"CreateTaskRequest for task {a.id}"),
    "stopTask": lambda a: ("PUT", "/coordinator/task/stop", {"id": a.id}, None, f"StopTaskRequest for task {a.id}"),
    "destroyTask": lambda a: ("DELETE", "/coordinator/tasks", None, {"taskId": a.id},
                              f"DestroyTaskRequest for task {a.id}"),
    "shutdown": lambda a: ("PUT", "/coordinator/shutdown", {"stopAgents": a.stop_agents}, None, "ShutdownRequest"),
}
_AGENT_REQUESTS = {
    "createWorker": lambda a: ("POST", "/agent/worker/create", {"workerId": a.worker_id, "taskId": a.task_id,
                                                                "spec": parse_spec_argument(a.spec)},
                               None, f"CreateWorkerRequest for worker {a.worker_id}"),
    "stopWorker": lambda a: ("PUT", "/agent/worker/stop", {"workerId": a.worker_id}, None,
                             f"StopWorkerRequest for worker {a.worker_id}"),
    "destroyWorker": lambda a: ("DELETE", "/agent/worker", None, {"workerId": a.worker_id},
                                f"DestroyWorkerRequest for worker {a.worker_id}"),
    "shutdown": lambda a: ("PUT", "/agent/shutdown", {}, None, "ShutdownRequest"),
}


def _send(client: RestClient, request: tuple) -> None:
    method, path, body, query, what = request
    client.call(method, path, body, query)
    print(f"Sent {what}.")

def fmt_time(ms: int) -> str:
    """Milliseconds since the epoch as local ISO-8601 with milliseconds."""
    if ms is None or ms < 0:
        return "(never)"
    return datetime.datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="milliseconds")


def fmt_duration(ms: int) -> str:
    """``6s``, ``1m5s``, ``2h0m3s``, ``250ms``."""
    if ms < 1000:
        return f"{max(0, ms)}ms"
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{seconds}s"
    return f"{minutes}m{seconds}s" if minutes else f"{seconds}s"


def task_line(task_id: str, state: dict) -> str:
    """One line about a task, as Trogdor's client prints it."""
    return f"Task {task_id} of type {state['spec']['class']} is {state['state']}. {_task_info(state)}"


def _task_info(state: dict) -> str:
    spec = state["spec"]
    kind = state["state"]
    if kind == "PENDING":
        return f"Will start at {fmt_time(spec.get('startMs', 0))}."
    if kind == "RUNNING":
        return f"Started {fmt_time(state['startedMs'])}; will stop after {fmt_duration(spec.get('durationMs', 0))}."
    if kind == "STOPPING":
        return f"Started {fmt_time(state['startedMs'])}."
    outcome = "FAILED" if state.get("error") else "CANCELLED" if state.get("cancelled") else "FINISHED"
    after = fmt_duration(state["doneMs"] - state["startedMs"]) if state.get("startedMs", -1) >= 0 else "0ms"
    text = f"{outcome} at {fmt_time(state['doneMs'])} after {after}."
    return text + (f" Error: {state['error']}" if state.get("error") else "")


def _uptime_text(what: str, target: str, uptime: dict) -> str:
    return (f"{what} is running at {target}.\n\tStart time: {fmt_time(uptime['serverStartMs'])}\n"
            f"\tCurrent time: {fmt_time(uptime['nowMs'])}\n"
            f"\tUptime: {fmt_duration(uptime['nowMs'] - uptime['serverStartMs'])}")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)


def _other_role(client: RestClient, verb: str) -> str:
    """When a 404 came from the other kind of daemon, what it is and which verb to use."""
    path, other = ("/agent/uptime", "agent") if verb == "client" else ("/coordinator/uptime", "coordinator")
    try:
        client.get(path)
    except (RestError, OSError, ValueError):
        return ""
    use = "agent-client" if other == "agent" else "client"
    wanted = "a coordinator" if verb == "client" else "an agent"
    return (f"a Trogdor {other}, not {wanted}; hint: use 'ducktape-trogdor {use}', "
            f"or --target the {wanted.split()[-1]}")
