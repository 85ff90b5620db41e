# Private to this collection: the errors the domain core raises.
"""Typed errors. Deep code raises these; modules and plugins turn them into fail_json / AnsibleError."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a fleet file: where (file, line, field path) and what."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def format_path(path: tuple | list) -> str:
    """('phones', 12, 'lines', 0, 'password') -> 'phones[12].lines[0].password'."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
    return text


class FleetError(Exception):
    """Base class of every error the domain core raises."""


class FleetValidationError(FleetError):
    """The fleet has problems; all of them are listed, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.path, p.message))
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"the fleet has {count} problem{'s' if count != 1 else ''}:\n{lines}")


class MissingLibraryError(FleetError):
    """A Python library the core needs is not installed where the code runs."""

    def __init__(self, library: str) -> None:
        self.library = library
        super().__init__(f"the Python library '{library}' is required where this runs (pip install {library})")
