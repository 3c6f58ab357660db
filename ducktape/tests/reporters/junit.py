"""JUnit XML for a session (contract 7.5), as Jenkins and GitHub test-report actions read it."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ducktape.tests.attempts import Attempt, attempt_log, failed_attempts
from ducktape.tests.reporters.runs import RUN_HEADER
from ducktape.tests.status import FLAKY, status_of

# Characters XML 1.0 cannot carry at all (e.g. ANSI escapes in a captured error text).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_tree(results) -> ET.Element:
    """``<testsuites>`` with one ``<testsuite>`` per module and one ``<testcase>`` per result."""
    suites: dict[str, list] = {}
    for result in results:
        suites.setdefault(result.module_name, []).append(result)
    total = sum(1 for r in results if status_of(r.test_status).junit_counted)
    root = ET.Element("testsuites", attrib={
        "name": "ducktape",
        "time": str(results.run_time_seconds),
        "tests": str(total),
        "disabled": "0",
        "errors": "0",
        "failures": str(results.num_failed),
    })
    for module_name, members in suites.items():
        suite = ET.SubElement(root, "testsuite", attrib={
            "name": module_name,
            "tests": str(len(members)),
            "disabled": "0",
            "errors": "0",
            "failures": str(sum(1 for r in members if status_of(r.test_status).junit_element == "failure")),
            "skipped": str(sum(1 for r in members if status_of(r.test_status).junit_element == "skipped")),
        })
        for result in members:
            _testcase(suite, module_name, result)
    return root


def _testcase(suite: ET.Element, module_name: str, result) -> None:
    prefix = f"{module_name}.{result.cls_name}."
    name = result.test_id.removeprefix(prefix)
    case = ET.SubElement(suite, "testcase", attrib={
        "name": xml_text(name),
        "classname": result.cls_name,
        "time": str(result.run_time_seconds),
        "status": str(result.test_status),
        "assertions": "",
    })
    element = status_of(result.test_status).junit_element
    attempts = failed_attempts(result.summary, result.file_name, result.nodes) if _deflaked(result) else []
    if element == "failure" and attempts:
        # Surefire: the first run is the <failure> (with its type), each rerun a <rerunFailure>
        first = attempts[0]
        failure = ET.SubElement(case, "failure", attrib={"message": xml_text(first.text.splitlines()[0]),
                                                         "type": xml_text(first.failure.kind or "Error")})
        failure.text = xml_text(first.text)
        for attempt in attempts[1:]:
            _attempt_element(case, "rerunFailure", attempt, result.results_dir)
    elif element == "failure":
        lines = (result.summary or "").splitlines()
        failure = ET.SubElement(case, "failure", attrib={"message": xml_text(lines[0] if lines else "")})
        failure.text = xml_text(result.summary)
    elif status_of(result.test_status) == FLAKY:
        for attempt in attempts:
            _attempt_element(case, "flakyFailure", attempt, result.results_dir)
    elif element == "skipped":
        quarantine = getattr(result, "quarantine", None)
        attrib = {"message": xml_text(f"quarantined: {quarantine['reason']}")} if quarantine else {}
        ET.SubElement(case, "skipped", attrib=attrib)


def _deflaked(result) -> bool:
    return any(RUN_HEADER.match(line.strip()) for line in (result.summary or "").splitlines())


def _attempt_element(case: ET.Element, tag: str, attempt: Attempt, test_dir: str) -> None:
    """``<flakyFailure>``/``<rerunFailure>`` as Surefire writes them: message and type attributes, the
    stack trace and the attempt's own test log as children."""
    lines = attempt.text.splitlines()
    element = ET.SubElement(case, tag, attrib={"message": xml_text(lines[0] if lines else ""),
                                               "type": xml_text(attempt.failure.kind or "Error")})
    ET.SubElement(element, "stackTrace").text = xml_text(attempt.text)
    log = attempt_log(test_dir, attempt.number)
    if log is not None:
        ET.SubElement(element, "system-out").text = xml_text(log)


def junit_string(results) -> str:
    """The ``report.xml`` text."""
    return ET.tostring(junit_tree(results), encoding="unicode")


def xml_text(text: str) -> str:
    """*text* without the characters XML 1.0 forbids, so the file always parses."""
    return _NOT_XML.sub("?", text or "")
