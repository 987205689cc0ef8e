"""What `newsletter doctor`'s checks report (operations/doctor.py): one finding per check,
``ok``, ``warning`` (works, but look at it) or ``error`` (something will not work)."""

from dataclasses import dataclass
from enum import StrEnum

TIMEOUT = 5.0  # seconds a check waits for the outside world (the database, the provider, DNS)


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    """What one check found."""

    check: str
    level: Level
    message: str

    def line(self) -> str:
        """The finding as one line of the report."""
        return f"{self.level.value:<8}{self.check}: {self.message}"


def ok(check: str, message: str) -> Finding:
    return Finding(check, Level.OK, message)


def warning(check: str, message: str) -> Finding:
    return Finding(check, Level.WARNING, message)


def error(check: str, message: str) -> Finding:
    return Finding(check, Level.ERROR, message)
