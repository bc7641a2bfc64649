"""WordNet glosses with their supersense: the text domain's real, offline default data.

Each synset line of a WordNet 3.x database file (``data.noun``, ``data.verb``, ``data.adj``,
``data.adv``; the format is the ``wndb(5WN)`` manual page) carries the number of its
lexicographer file (``lexnames(5WN)``: 45 supersenses such as ``noun.animal``) and, after ``|``,
its gloss: a definition, then examples in quotes, separated by ``;``. The lemma words on the line
are dropped: the task is to tell the supersense from the gloss alone.

The repository ships these fields of WordNet 3.0 as a small gzip (``domains/data/``, with
WordNet's licence beside it, which permits redistribution with the notice), so the domain runs
with no system package. Regenerate it from any database folder:

    python -m domains.wordnet /usr/share/wordnet domains/data/wordnet-3.0-glosses.tsv.gz
"""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path
from typing import NamedTuple

from bench.core.atomic import atomic_write
from bench.core.errors import UserError

# lexnames(5WN): the lexicographer file of each number, 00 to 44 (the same in WordNet 3.0 and 3.1).
LEXNAMES = (
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact", "noun.attribute",
    "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group",
    "noun.location", "noun.motive", "noun.object", "noun.person", "noun.phenomenon", "noun.plant",
    "noun.possession", "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state",
    "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition", "verb.communication",
    "verb.competition", "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
    "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl",
)
PARTS = ("noun", "verb", "adj", "adv")  # data.<part>
SS_TYPES = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}  # s: adjective satellite
SHIPPED = Path(__file__).resolve().parent / "data" / "wordnet-3.0-glosses.tsv.gz"
HEADER = "offset\tss_type\tlex_filenum\tgloss"


class Gloss(NamedTuple):
    offset: str  # the synset's byte offset in its data file: with ss_type, its identity
    ss_type: str  # n, v, a, s or r
    lex_filenum: int  # index into LEXNAMES
    gloss: str

    @property
    def supersense(self) -> str:
        return LEXNAMES[self.lex_filenum]


def parse_data_line(line: str, where: str) -> Gloss | None:
    """One line of a data file; None for the licence lines at its top (they begin with two spaces)."""
    if line.startswith("  ") or not line.strip():
        return None
    head, bar, gloss = line.rstrip("\r\n").partition(" | ")
    fields = head.split(" ")
    if not bar or len(fields) < 4 or not (fields[0].isdigit() and fields[1].isdigit()) or fields[2] not in SS_TYPES:
        raise UserError(f"{where}: not a WordNet data line (expected 'offset lex_filenum ss_type w_cnt word ... "
                        f"| gloss', see wndb(5WN)): {line[:70]!r}. --data takes a WordNet 3.x database folder.")
    number = int(fields[1])
    if number >= len(LEXNAMES):
        raise UserError(f"{where}: lexicographer file number {number} is not one of WordNet's 00..44.")
    return Gloss(fields[0], fields[2], number, gloss.strip())


def read_data_file(path: Path) -> list[Gloss]:
    """Every synset of one data file (WordNet 3.0 is ASCII; a file that is not UTF-8 is read as Latin-1)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    rows = (parse_data_line(line, f"{path}:{number}") for number, line in enumerate(text.splitlines(), 1))
    return [row for row in rows if row is not None]


def read_database(folder: str | Path, parts: tuple[str, ...] = PARTS) -> list[Gloss]:
    """The glosses of ``parts`` (noun, verb, adj, adv) from a WordNet database folder."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise UserError(f"--data {folder}: no such folder. It takes a WordNet 3.x database folder holding "
                        "data.noun, data.verb, data.adj, data.adv (Debian's wordnet-base: /usr/share/wordnet); "
                        "leave --data out to use the WordNet 3.0 glosses shipped with imix-bench.")
    missing = [f"data.{part}" for part in parts if not (folder / f"data.{part}").is_file()]
    if missing:
        found = sorted(p.name for p in folder.iterdir())[:12]
        raise UserError(f"--data {folder} has no {', '.join(missing)}; a WordNet database folder holds "
                        f"data.noun, data.verb, data.adj, data.adv (found: {', '.join(found) or 'nothing'}).")
    return [row for part in parts for row in read_data_file(folder / f"data.{part}")]


def write_gloss_file(rows: list[Gloss], path: str | Path) -> None:
    """The compact file: a gzip of tab-separated offset, ss_type, lex_filenum, gloss (no timestamp, so a
    rebuild from the same database gives the same bytes)."""
    lines = [HEADER]
    for row in rows:
        if "\t" in row.gloss or "\n" in row.gloss:
            raise ValueError(f"synset {row.offset} {row.ss_type}: the gloss holds a tab or newline")
        lines.append(f"{row.offset}\t{row.ss_type}\t{row.lex_filenum:02d}\t{row.gloss}")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
    with atomic_write(path) as file:
        file.write(buffer.getvalue())


def read_gloss_file(path: str | Path = SHIPPED, parts: tuple[str, ...] = PARTS) -> list[Gloss]:
    """The glosses of ``parts`` from a file written by ``write_gloss_file``."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"the shipped WordNet gloss file {path} is missing (a broken install?); reinstall "
                        "imix-bench or pass --data with a WordNet database folder.")
    with gzip.open(path, "rt", encoding="utf-8") as file:
        lines = file.read().splitlines()
    if not lines or lines[0] != HEADER:
        raise UserError(f"{path} is not a WordNet gloss file (its first line is not {HEADER!r}).")
    rows = []
    for line in lines[1:]:
        offset, ss_type, number, gloss = line.split("\t", 3)
        if SS_TYPES[ss_type] in parts:
            rows.append(Gloss(offset, ss_type, int(number), gloss))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    rows = read_database(argv[0])
    write_gloss_file(rows, argv[1])
    print(f"{len(rows)} glosses written to {argv[1]} ({Path(argv[1]).stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
