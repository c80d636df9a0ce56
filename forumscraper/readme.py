"""The README read as data: its example questions and its descriptions of tables and columns.

The README is where the schema and the example questions are written for people, and
``tests/test_queries.py`` runs every example against a crawl, so they stay true. Reading them from
there (rather than keeping a second copy) is what lets ``forumscraper browse`` show the same
descriptions and offer the same questions as canned queries. Pure functions over the README's
text; :func:`readme_text` finds it, beside the package in a checkout and in the installed
distribution's metadata (its long description) otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

CHECKOUT_README = Path(__file__).resolve().parents[1] / "README.md"


class ReadmeMissing(LookupError):
    """Neither a checkout's README nor an installed distribution's description was found."""


def readme_text() -> str:
    """The README: the checkout's file (current as edited), else the installed description."""
    if CHECKOUT_README.is_file():
        return CHECKOUT_README.read_text(encoding="utf-8")
    try:
        meta = metadata("forumscraper")
    except PackageNotFoundError:
        raise ReadmeMissing("forumscraper is neither installed nor run from a checkout") from None
    description = meta.get_payload() or meta.get("Description")  # type: ignore[attr-defined]
    if not description:
        raise ReadmeMissing("the installed forumscraper carries no README")
    return str(description)


def section(readme: str, title: str, level: int = 2) -> str:
    """The text of the ``## title`` section (``level`` hashes), up to the next of its level."""
    marks = "#" * level
    start = readme.index(f"\n{marks} {title}\n")
    end = re.compile(rf"\n#{{2,{level}}} ").search(readme, start + 1)
    return readme[start : end.start() if end else None]


def querying_section(readme: str) -> str:
    return section(readme, "Querying")


# -- the example questions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One ```sql block of the README's "Querying" section."""

    name: str
    """Its ``-- q: name`` marker (first line)."""
    database: str
    """``postgresql``, or ``sqlite`` for a block marked ``-- q: name (SQLite)``."""
    question: str | None
    """The bold line just before the block (for a SQLite form: before its PostgreSQL form)."""
    sql: str

    @property
    def id(self) -> str:
        return self.name if self.database == "postgresql" else f"{self.name}-sqlite"

    @property
    def title(self) -> str | None:
        """The question without its markup: its bold part, then any words after it."""
        if self.question is None:
            return None
        return plain(" ".join(self.question.split()).replace("**", ""))


def readme_examples(readme: str) -> list[Example]:
    """Every ```sql block of the Querying section, in order (an unmarked block gets a name
    saying so, for the tests to report)."""
    part = querying_section(readme)
    examples: list[Example] = []
    for match in re.finditer(r"```sql\n(.*?)```", part, re.DOTALL):
        sql = match.group(1)
        marker = re.match(r"-- q: ([\w-]+)( \(SQLite\))?\n", sql)
        before = part[: match.start()].rstrip("\n").rsplit("\n\n", 1)[-1].strip()
        sqlite = bool(marker and marker.group(2))
        question = before if before.startswith("**") else None
        if sqlite and examples and examples[-1].name == (marker and marker.group(1)):
            question = examples[-1].question
        examples.append(
            Example(
                name=marker.group(1) if marker else f"<no marker: {sql[:40]!r}>",
                database="sqlite" if sqlite else "postgresql",
                question=question,
                sql=sql,
            )
        )
    return examples


# -- the descriptions of tables, views and columns ----------------------------------------------


@dataclass
class Described:
    """A table or view as the README describes it."""

    description: str
    columns: dict[str, str] = field(default_factory=dict)
    """Column name: what it holds."""


def plain(markdown: str) -> str:
    """Inline Markdown as plain text: code marks and bold dropped."""
    return markdown.replace("`", "").replace("**", "").strip()


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _table_rows(block: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``block`` (header and rule skipped)."""
    lines = [line for line in block.splitlines() if line.startswith("|")]
    return [_cells(line) for line in lines[2:]]


def _described_columns(cell: str) -> dict[str, str]:
    """``Key columns`` of the Schema table: each `` `name` `` outside parentheses, described by
    the parenthesis that follows it, if any (``title``, ``timezone`` (the board's, …))."""
    columns: dict[str, str] = {}
    depth = 0
    position = 0
    while position < len(cell):
        char = cell[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "`":
            end = cell.index("`", position + 1)
            name = cell[position + 1 : end]
            position = end + 1
            if depth == 0 and re.fullmatch(r"\w+", name):
                rest = cell[position:]
                note = ""
                if rest.startswith(" ("):
                    close = _closing(rest, 1)
                    note = plain(rest[2:close])
                columns[name] = note
            continue
        position += 1
    return columns


def _closing(text: str, start: int) -> int:
    """Index of the parenthesis closing the one at ``start``."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return len(text)


def schema_descriptions(readme: str) -> dict[str, Described]:
    """What the README's "Schema" table says of each table and its key columns, and what its
    "Views" tables say of each view and every column."""
    described: dict[str, Described] = {}
    for row in _table_rows(section(readme, "Schema")):
        if len(row) != 3:
            continue
        names = re.findall(r"`(\w+)`", row[0])
        columns = _described_columns(row[2])
        for name in names:
            one_row_per = row[1] if len(names) == 1 else row[1].split(";")[names.index(name)]
            described[name] = Described(f"One row per {plain(one_row_per)}.", dict(columns))
    views = section(readme, "Views", level=3)
    for match in re.finditer(r"^`(\w+)`: (.+?)\n\n(\|.+?)(?:\n\n|\Z)", views, re.M | re.S):
        name, sentence, table = match.groups()
        columns = {}
        for cells in _table_rows(table):
            for column in re.findall(r"`(\w+)`", cells[0]):
                columns[column] = plain(cells[1])
        sentence = plain(" ".join(sentence.split()))
        described[name] = Described(sentence[:1].upper() + sentence[1:], columns)
    return described
