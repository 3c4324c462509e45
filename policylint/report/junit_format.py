"""JUnit XML, for CI systems that show test reports: a test suite per file with problems,
a failed test case per problem (one passing case when there is none)."""
from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree

from policylint.report import Report


def render(report: Report) -> str:
    root = ElementTree.Element("testsuites", name="policylint", tests=str(max(len(report.problems), 1)),
                               failures=str(len(report.problems)), errors=str(len(report.errors)))
    for file, problems in groupby(report.problems, key=lambda p: p.file):
        found = list(problems)
        suite = ElementTree.SubElement(root, "testsuite", name=file, tests=str(len(found)),
                                       failures=str(len(found)), errors="0")
        for p in found:
            case = ElementTree.SubElement(suite, "testcase", classname=file,
                                          name=f"{p.code} {p.name} at {p.line}:{p.column}")
            fix = f" ({p.fix.applicability} fix: policylint check --fix)" if p.fix else ""
            failure = ElementTree.SubElement(case, "failure", type=p.severity.label,
                                             message=f"{p.code} {p.message}{fix}")
            failure.text = f"{file}:{p.line}:{p.column}: {p.severity.label}: {p.code} {p.message}"
    if not report.problems:
        suite = ElementTree.SubElement(root, "testsuite", name="policylint", tests="1", failures="0",
                                       errors=str(len(report.errors)))
        ElementTree.SubElement(suite, "testcase", classname="policylint",
                               name=f"{report.files} files linted")
    for error in report.errors:
        case = ElementTree.SubElement(root[-1], "testcase", classname="policylint",
                                      name=f"internal error in {error.what}")
        ElementTree.SubElement(case, "error", message=error.error).text = error.file
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
