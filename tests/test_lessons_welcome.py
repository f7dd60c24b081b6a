"""cnnhelpers.lessons.welcome: the environment check of notebook 00 tells the truth."""

import platform
import sys

from threadpoolctl import threadpool_info

from cnnhelpers.lessons import welcome
from cnnhelpers.lessons.welcome import REQUIRED, blas_info, environment_report, missing_packages


def test_nothing_is_missing_here():
    assert missing_packages() == []


def test_a_package_that_cannot_be_imported_is_reported_missing(monkeypatch):
    monkeypatch.setitem(welcome.REQUIRED, "no_such_pkg", "a test")
    assert missing_packages() == ["no_such_pkg"]
    assert "\nno_such_pkg    MISSING: needed for a test\n" in environment_report()


def test_blas_info_lists_the_blas_threadpoolctl_sees():
    expected = [info for info in threadpool_info() if info.get("user_api") == "blas"]
    found = blas_info()
    assert found, "numpy's BLAS is loaded in every process that imports numpy"
    assert [(info["library"], info["version"]) for info in found] == [
        (info.get("internal_api"), info.get("version")) for info in expected]


def test_report_names_python_numpy_and_each_blas():
    report = environment_report()
    assert report.startswith(f"Python         {platform.python_version()} (")
    assert sys.executable not in report and sys.prefix not in report  # no machine-specific path
    assert "\nnumpy" in report and set(REQUIRED) <= {line.split()[0] for line in report.splitlines()}
    blas_lines = [line for line in report.splitlines() if line.startswith("BLAS")]
    assert len(blas_lines) == len(blas_info()) >= 1
