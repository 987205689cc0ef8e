"""Reading an issue from a YAML or JSON file, with errors a person can act on.

An error names the file, where in it (``item 3``, ``section 2, item 1``) and the field, for
example ``brief.yaml: item 3, url: must be an absolute http:// or https:// URL``.
"""

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from newsletter.content.models import IssueContent
from newsletter.errors import IssueFileError


def load_issue_file(path: Path) -> IssueContent:
    """Read and validate an issue file (``.yaml``, ``.yml`` or ``.json``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise IssueFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise IssueFileError(f"{path}: cannot be read as UTF-8 text ({err})") from None
    data = _parse(path, text)
    if not isinstance(data, dict):
        raise IssueFileError(f"{path}: expected a mapping with title, date and items at the top")
    return parse_issue(data, source=str(path))


def parse_issue(data: dict[str, Any], *, source: str) -> IssueContent:
    """Validate already-parsed issue data; errors are prefixed with ``source``."""
    try:
        return IssueContent.model_validate(data)
    except ValidationError as err:
        shorthand = "items" in data and "sections" not in data
        lines = [f"{source}: {_where(e['loc'], shorthand)}{_message(e)}" for e in err.errors()]
        raise IssueFileError("\n".join(lines)) from None


def _parse(path: Path, text: str) -> Any:
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        return json.loads(text) if kind == "JSON" else yaml.safe_load(text)
    except json.JSONDecodeError as err:
        raise IssueFileError(f"{path}: invalid JSON at line {err.lineno}: {err.msg}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise IssueFileError(f"{path}: invalid YAML{where}: {problem}") from None
    except RecursionError:
        # Both parsers recurse once per level of nesting; no issue is more than a few deep.
        raise IssueFileError(f"{path}: nested too deeply to be an issue file (lists or mappings "
                             "hundreds of levels inside each other)") from None
    except ValueError as err:
        # A value the parser cannot hold: a number of thousands of digits, a date such as
        # 2024-13-45. Neither parser turns these into its own error class. Python's advice
        # after the ";" (sys.set_int_max_str_digits) is for programmers, not for the file's author.
        raise IssueFileError(f"{path}: invalid {kind}: {str(err).split(';')[0]}") from None


def _where(loc: tuple[Any, ...], shorthand: bool) -> str:
    """Turn ``('sections', 0, 'items', 2, 'url')`` into ``item 3, url: ``."""
    parts: list[str] = []
    rest = list(loc)
    if rest[:1] == ["sections"] and len(rest) > 1 and isinstance(rest[1], int):
        if not shorthand:
            parts.append(f"section {rest[1] + 1}")
        rest = rest[2:]
    if rest[:1] == ["items"] and len(rest) > 1 and isinstance(rest[1], int):
        parts.append(f"item {rest[1] + 1}")
        rest = rest[2:]
    fields = [str(x) for x in rest if not str(x).startswith("function-")]
    if fields:
        parts.append(".".join(fields))
    return f"{', '.join(parts)}: " if parts else ""


def _message(error: dict[str, Any]) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "extra_forbidden":
        return "is not a known field (check its spelling)"
    return message[0].lower() + message[1:] if message else message
