"""The locks in requirements/ agree with pyproject.toml, with each other, and with the environment
the tests run in (what `make` installed): a range changed without `make lock` fails here."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import REPO

LOCKS = REPO / "requirements"
# Which lock carries which part of pyproject.toml.
LOCKS_FOR = {
    "dependencies": ("runtime", "demo", "test"),
    "demo": ("demo", "test"),
    "test": ("test",),
}


def pins(lock: str) -> dict[str, list[Requirement]]:
    """name -> its `name==version ; marker` lines (hashes and comments dropped); a name can have
    one per Python version or platform."""
    found: dict[str, list[Requirement]] = {}
    for line in (LOCKS / f"{lock}.txt").read_text().splitlines():
        if line[:1].isalnum():
            requirement = Requirement(line.rstrip(" \\"))
            found.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return found


def pinned_version(requirement: Requirement) -> str:
    (spec,) = requirement.specifier
    assert spec.operator == "==", requirement
    return spec.version


def declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    parts = {"dependencies": project["dependencies"], **project["optional-dependencies"]}
    return {part: [Requirement(line) for line in lines] for part, lines in parts.items()}


def test_every_declared_range_has_a_lock_and_an_upper_bound():
    parts = declared()
    assert set(parts) == set(LOCKS_FOR)
    for requirements in parts.values():
        for requirement in requirements:
            if requirement.name != "warroom":
                assert any(s.operator == "<" for s in requirement.specifier), requirement
                assert any(s.operator == ">=" for s in requirement.specifier), requirement


@pytest.mark.parametrize("part", sorted(LOCKS_FOR))
def test_the_locks_pin_versions_pyproject_allows(part: str):
    for lock in LOCKS_FOR[part]:
        locked = pins(lock)
        for requirement in declared()[part]:
            if requirement.name == "warroom":  # test's own `warroom[demo]`
                continue
            name = canonicalize_name(requirement.name)
            assert name in locked, f"{requirement} is not in {lock}.txt: run make lock"
            for pin in locked[name]:
                assert requirement.specifier.contains(pinned_version(pin)), (
                    f"{lock}.txt pins {pin}, outside {requirement}: run make lock"
                )


def test_the_locks_agree_with_each_other():
    test = pins("test")
    for lock in ("runtime", "demo"):
        for name, requirements in pins(lock).items():
            assert {str(r) for r in requirements} == {str(r) for r in test[name]}, (lock, name)


def test_this_environment_is_the_test_lock():
    wrong = []
    for name, requirements in pins("test").items():
        mine = [r for r in requirements if r.marker is None or r.marker.evaluate()]
        if not mine:
            continue  # another platform's or Python's
        (requirement,) = mine
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "missing"
        if installed != pinned_version(requirement):
            wrong.append(f"{name} {installed} (locked {pinned_version(requirement)})")
    assert not wrong, "not what requirements/test.txt pins (run make test): " + ", ".join(wrong)
