"""The set-up files agree (pyproject.toml, environment.yml) and name what the welcome notebook checks."""

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import yaml

from cnnhelpers.lessons.welcome import REQUIRED

ROOT = Path(__file__).resolve().parents[1]


def normalise(requirement: str) -> str:
    """'scikit-image>=0.22' -> 'scikit-image'; '-' and '_' are the same to pip and conda."""
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    names = set(project["dependencies"]) | set(extras["notebooks"]) | set(extras["test"]) | set(extras["classroom"])
    return {normalise(name.split(";")[0]) for name in names}


def conda_packages() -> set[str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = {normalise(d) for d in environment["dependencies"] if isinstance(d, str)}
    return names - {"python", "pip"}


def test_environment_yml_and_pyproject_name_the_same_packages():
    assert conda_packages() == pyproject_packages()


def test_environment_yml_installs_the_package_itself_with_pip():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e ."]]


def test_pyproject_pins_lower_bounds_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"] + sum(project["optional-dependencies"].values(), []):
        assert ">=" in requirement and "==" not in requirement, requirement


def test_every_runtime_dependency_is_checked_by_the_welcome_notebook():
    import_names = {"scikit-image": "skimage", "pillow": "PIL"}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {import_names.get(normalise(r), normalise(r)) for r in project["dependencies"]}
    assert runtime == set(REQUIRED)


def test_the_classroom_extra_asks_for_python_311_and_the_core_for_310():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
    assert all(r.endswith("; python_version >= '3.11'") for r in project["optional-dependencies"]["classroom"])
