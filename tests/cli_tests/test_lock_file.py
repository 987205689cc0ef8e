"""constraints.txt pins what the project installs, the tests run with those pins, and
scripts/bootstrap installs from them again when they change."""

import os
import shutil
import subprocess
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO


def pins() -> dict[str, str]:
    """constraints.txt as {canonical name: version}."""
    lines = (REPO / "constraints.txt").read_text().splitlines()
    pairs = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(name): version for name, version in pairs}


def requirements() -> list[Requirement]:
    """What pyproject.toml asks for, with every extra."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    return [Requirement(r) for r in [*project["dependencies"], *extras]]


def test_every_requirement_is_pinned_within_its_range():
    pinned = pins()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in constraints.txt: run scripts/lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside {requirement}: run scripts/lock")


def test_the_tests_run_with_the_pinned_versions():
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    differ = {name: (version, installed[name]) for name, version in pins().items()
              if name in installed and installed[name] != version}
    assert differ == {}, f"(pinned, installed) differ: {differ}; run scripts/bootstrap, or scripts/lock"


def test_bootstrap_installs_again_when_a_pin_changes(tmp_path):
    """With a stand-in for .venv's Python that records what it was asked to run."""
    for name in ("pyproject.toml", "constraints.txt"):
        shutil.copy(REPO / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "$*" >> "$(dirname "$0")/../../calls"\n')
    python.chmod(0o755)

    def bootstrap() -> list[str]:
        subprocess.run(["bash", str(REPO / "scripts" / "bootstrap"), "test"], cwd=tmp_path, check=True,
                       env={**os.environ, "PYTHON": shutil.which("python3") or "python3"}, capture_output=True)
        calls = tmp_path / "calls"
        made = calls.read_text().splitlines() if calls.exists() else []
        calls.unlink(missing_ok=True)
        return [call for call in made if "--editable" in call]

    [install] = bootstrap()
    assert "--constraint constraints.txt" in install and ".[test]" in install
    assert bootstrap() == []  # nothing changed: nothing installed
    with (tmp_path / "constraints.txt").open("a") as constraints:
        constraints.write("example-package==1.0\n")
    assert len(bootstrap()) == 1
