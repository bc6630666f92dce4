"""The one importer framework: parse → validate everything → write everything in one
transaction → report. Problems name the file, the record (line or position) and the field, so
a user can fix the input without reading code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.file, self.record) if part)
        if self.field:
            where += f", field `{self.field}`"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The input had problems; nothing was written."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems[:50])
        more = len(self.problems) - 50
        if more > 0:
            lines += f"\n  … and {more} more"
        super().__init__(f"{len(self.problems)} problem(s), nothing was written:\n{lines}")


@dataclass
class Problems:
    """Collects problems while validating; ``raise_if_any`` aborts before anything is written."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, record: str, field_name: str, message: str) -> None:
        self.items.append(Problem(file, record, field_name, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportFailed(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


class RecordReader:
    """Reads typed fields from one input record (a YAML mapping or a CSV row), recording a
    located problem for each bad field instead of stopping at the first."""

    def __init__(self, problems: Problems, file: str, record: str, data: Any):
        self.problems = problems
        self.file = file
        self.record = record
        self.ok = True
        if not isinstance(data, dict):
            self._problem("", f"expected a mapping of fields, got {type(data).__name__}")
            data = {}
        self.data = data

    def _problem(self, name: str, message: str) -> None:
        self.ok = False
        self.problems.add(self.file, self.record, name, message)

    def unknown_fields(self, allowed: Iterable[str]) -> None:
        for name in sorted(set(self.data) - set(allowed)):
            self._problem(name, "unknown field (misspelt?)")

    def get(
        self,
        name: str,
        kind: Callable[[Any], Any] | type = str,
        *,
        required: bool = True,
        default: Any = None,
        choices: Iterable[str] | None = None,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        raw = self.data.get(name, MISSING)
        if raw is MISSING or raw is None or raw == "":
            if required:
                self._problem(name, "required")
            return default
        try:
            value = convert(raw, kind)
        except (TypeError, ValueError) as exc:
            self._problem(name, str(exc))
            return default
        if choices is not None and value not in set(choices):
            listed = ", ".join(map(str, sorted(choices)))
            self._problem(name, f"must be one of {listed}; got {value!r}")
            return default
        if check is not None:
            message = check(value)
            if message:
                self._problem(name, message)
                return default
        return value


def convert(raw: Any, kind: Callable[[Any], Any] | type) -> Any:
    """Convert an input value to ``kind`` with messages a user understands."""
    if kind is str:
        if isinstance(raw, (dict, list)):
            raise ValueError(f"expected text, got a {type(raw).__name__}")
        return str(raw).strip()
    if kind is int:
        if isinstance(raw, bool):
            raise ValueError(f"expected a whole number, got {raw!r}")
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
    if kind is float:
        try:
            return float(str(raw).strip())
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"true", "yes", "1"}:
            return True
        if text in {"false", "no", "0"}:
            return False
        raise ValueError(f"expected true or false, got {raw!r}")
    if kind is dt.date:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(f"expected a date as YYYY-MM-DD, got {raw!r}") from None
    if kind is list:
        if not isinstance(raw, list):
            raise ValueError(f"expected a list, got {raw!r}")
        return raw
    return kind(raw)
