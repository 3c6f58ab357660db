"""The OpenAPI 3 documents of the agent and coordinator REST APIs (served at /openapi.json).

Built from small pieces here so the served document, the copy in docs/ and the
fuzz tests all come from one source.
"""
from __future__ import annotations

from typing import Any

_ERROR = {"type": "object", "required": ["code", "message"],
          "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}}
_EMPTY = {"type": "object"}
_SPEC = {"type": "object", "required": ["class"], "additionalProperties": True,
         "description": "A task spec: class, startMs, durationMs and the kind's own fields.",
         "properties": {"class": {"type": "string"}, "startMs": {"type": "integer", "minimum": 0},
                        "durationMs": {"type": "integer", "minimum": 0}}}
_UPTIME = {"type": "object", "required": ["serverStartMs", "nowMs"],
           "properties": {"serverStartMs": {"type": "integer"}, "nowMs": {"type": "integer"}}}
_WORKER_STATE = {"type": "object", "required": ["state", "taskId", "spec"],
                 "properties": {"state": {"enum": ["STARTING", "RUNNING", "STOPPING", "DONE"]},
                                "taskId": {"type": "string"}, "spec": _SPEC,
                                "startedMs": {"type": "integer"}, "doneMs": {"type": "integer"},
                                "status": {}, "error": {"type": "string"}}}
_TASK_STATE = {"type": "object", "required": ["state", "spec"],
               "properties": {"state": {"enum": ["PENDING", "RUNNING", "STOPPING", "DONE"]},
                              "spec": _SPEC, "status": {}, "startedMs": {"type": "integer"},
                              "doneMs": {"type": "integer"}, "error": {"type": "string"},
                              "cancelled": {"type": "boolean"}}}


def _responses(ok: dict, *errors: int) -> dict:
    out: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": ok}}}}
    for code in (400, 401, *errors):
        out[str(code)] = {"description": "error", "content": {"application/json": {"schema": _ERROR}}}
    return out


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _document(title: str, paths: dict) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.0"},
        "components": {"securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "Required unless the daemon was started with --allow-unauthenticated."}}},
        "security": [{"bearer": []}, {}],
        "paths": {**paths, "/openapi.json": {"get": {"operationId": "openapi",
                                                     "responses": _responses({"type": "object"})}}},
    }


def agent_document() -> dict:
    """The agent's API: status, uptime, worker create/stop/destroy, shutdown."""
    worker_id = {"type": "integer", "format": "int64"}
    return _document("ducktape-trogdor agent", {
        "/agent/status": {"get": {"operationId": "agentStatus", "responses": _responses(
            {"type": "object", "required": ["serverStartMs", "workers"],
             "properties": {"serverStartMs": {"type": "integer"},
                            "workers": {"type": "object", "additionalProperties": _WORKER_STATE}}})}},
        "/agent/uptime": {"get": {"operationId": "agentUptime", "responses": _responses(_UPTIME)}},
        "/agent/worker/create": {"post": {
            "operationId": "createWorker",
            "requestBody": _body({"type": "object", "required": ["workerId", "taskId", "spec"],
                                  "properties": {"workerId": worker_id, "taskId": {"type": "string"},
                                                 "spec": _SPEC}}),
            "responses": _responses(_EMPTY, 409, 501)}},
        "/agent/worker/stop": {"put": {
            "operationId": "stopWorker", "description": "An unknown worker id is not an error.",
            "requestBody": _body({"type": "object", "required": ["workerId"],
                                  "properties": {"workerId": worker_id}}),
            "responses": _responses(_EMPTY)}},
        "/agent/worker": {"delete": {
            "operationId": "destroyWorker",
            "description": "Answers at once; the worker is stopped and forgotten once DONE. No workerId means 0.",
            "parameters": [_query("workerId", worker_id)],
            "responses": _responses(_EMPTY)}},
        "/agent/shutdown": {"put": {"operationId": "agentShutdown", "responses": _responses(_EMPTY)}},
    })


def _list_tasks(operation_id: str, ms: dict) -> dict:
    """``GET /coordinator/tasks``, served with and without Trogdor's trailing slash."""
    responses = _responses({"type": "object", "required": ["tasks"],
                            "properties": {"tasks": {"type": "object", "additionalProperties": _TASK_STATE}}})
    responses["400"]["content"]["text/plain"] = {"schema": {"type": "string"}}
    return {"operationId": operation_id,
            "description": "A state outside the enum is a 400 with a plain-text body, as Trogdor answers it.",
            "parameters": [_query("taskId", {"type": "array", "items": {"type": "string"}}),
                           _query("firstStartMs", ms), _query("lastStartMs", ms),
                           _query("firstEndMs", ms), _query("lastEndMs", ms),
                           _query("state", {"enum": ["PENDING", "RUNNING", "STOPPING", "DONE"]})],
            "responses": responses}


def coordinator_document() -> dict:
    """The coordinator's API: status, uptime, tasks (create/stop/destroy/list/show), shutdown."""
    ms = {"type": "integer", "format": "int64", "minimum": 0}
    return _document("ducktape-trogdor coordinator", {
        "/coordinator/status": {"get": {"operationId": "coordinatorStatus", "responses": _responses(
            {"type": "object", "required": ["serverStartMs"],
             "properties": {"serverStartMs": {"type": "integer"}}})}},
        "/coordinator/uptime": {"get": {"operationId": "coordinatorUptime", "responses": _responses(_UPTIME)}},
        "/coordinator/task/create": {"post": {
            "operationId": "createTask",
            "requestBody": _body({"type": "object", "required": ["id", "spec"],
                                  "properties": {"id": {"type": "string"}, "spec": _SPEC}}),
            "responses": _responses(_EMPTY, 409, 501)}},
        "/coordinator/task/stop": {"put": {
            "operationId": "stopTask", "description": "An unknown task id is not an error; an empty one is a 400.",
            "requestBody": _body({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}),
            "responses": _responses(_EMPTY)}},
        "/coordinator/tasks": {
            "delete": {"operationId": "destroyTask", "description": "A missing or empty taskId is a 400.",
                       "parameters": [_query("taskId", {"type": "string"})],
                       "responses": _responses(_EMPTY)},
            "get": _list_tasks("tasks", ms)},
        "/coordinator/tasks/": {"get": _list_tasks("tasksTrogdorPath", ms)},
        "/coordinator/tasks/{taskId}": {"get": {
            "operationId": "task",
            "parameters": [{"name": "taskId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": _responses(_TASK_STATE, 404)}},
        "/coordinator/shutdown": {"put": {
            "operationId": "coordinatorShutdown",
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"stopAgents": {"type": "boolean"}}}}}},
            "responses": _responses(_EMPTY)}},
    })
