"""Tiny inputs for the text-domain tests: a WordNet database folder in the real line format, and text tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

LICENCE = ("  1 This software and database is being provided to you, the LICENSEE, by  \n"
           "  2 Princeton University under the following license.  By obtaining, using  \n"
           "  3   \n")
# (file, line): the fields of wndb(5WN) as WordNet writes them, pointers and verb frames included.
LINES = {
    "noun": [
        "00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 ~ 00002137 n 0000 ~ 04424418 n 0000 | that which is perceived "
        "or known or inferred to have its own distinct existence (living or nonliving)  ",
        "00015388 05 n 03 animal 0 animate_being 0 beast 0 002 @ 00004475 n 0000 ~ 00017402 n 0000 | a living organism "
        "characterized by voluntary movement; \"the animals fled\"  ",
        "00016000 18 n 01 café_owner 0 000 | someone who runs a café (a small restaurant); \"the café owner greeted "
        "the naïve tourist\"  ",
    ],
    "verb": [
        "00204872 30 v 02 suffer 2 lose 3 002 $ 00204750 v 0000 @ 00203866 v 0000 03 + 01 00 + 02 00 + 04 00 | be set "
        "at a disadvantage; \"This author really suffers in translation\"  ",
    ],
    "adj": [
        "00001740 00 a 01 able 0 005 = 05207437 n 0000 = 05624029 n 0000 + 05624029 n 0101 ! 00002098 a 0101 & "
        "00002312 a 0000 | (usually followed by `to') having the necessary means or skill; \"able to swim\"  ",
        "00002312 00 s 01 abient 0 001 & 00001740 a 0000 | tending to withdraw  ",
    ],
    "adv": ["00001740 02 r 01 a_cappella 0 001 \\ 02796592 a 0000 | without musical accompaniment; \"they performed "
            "a cappella\"  "],
}


def write_wordnet(folder: Path, lines: dict[str, list[str]] = LINES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for part, rows in lines.items():
        (folder / f"data.{part}").write_text(LICENCE + "".join(row + "\n" for row in rows), encoding="utf-8")
    return folder


def animal_sentences(n: int, planted: str | None = None) -> pd.DataFrame:
    """Two classes told apart by their words; ``planted`` is a word put only in the last row."""
    words = {"pet": ["dog", "cat", "puppy", "kitten", "hamster"], "tool": ["hammer", "saw", "drill", "wrench", "file"]}
    rows = []
    for i in range(n):
        label = "pet" if i % 2 == 0 else "tool"
        picks = words[label]
        rows.append({"text": f"the {picks[i % 5]} and the {picks[(i + 2) % 5]} are {['small', 'big', 'old'][i % 3]}",
                     "label": label})
    if planted is not None:
        rows[-1]["text"] += f" {planted}"
    return pd.DataFrame(rows)
