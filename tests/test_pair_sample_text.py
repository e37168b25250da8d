"""No tuning to the sample: no code or lexicon file holds a sample member's specialty
sentence (lexicons and aliases come from public data or the labelled sets)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "members.csv"
# code, lexicons, labelled and generated data, models and their cards
PATTERNS = ("matcher/**/*.py", "service/**/*.py", "data/**/*.csv", "data/**/*.json",
            "data/**/*.md", "models/*.json", "models/*.md")


def sample_sentences() -> set[str]:
    with open(SAMPLE, newline="", encoding="utf-8") as fh:
        specialties = [r["specialty"] for r in csv.DictReader(fh)]
    out = set()
    for s in specialties:
        for sentence in re.split(r"(?<=[.!?])\s+", s):
            sentence = " ".join(sentence.lower().split()).rstrip(".!?")
            if len(sentence) >= 25:  # "Consultant helping businesses grow" and longer
                out.add(sentence)
    return out


def files() -> list[Path]:
    sample = ROOT / "data" / "sample"
    return sorted({p for pat in PATTERNS for p in ROOT.glob(pat)
                   if sample not in p.parents and p.is_file()})


def test_the_check_sees_the_sample_and_the_files():
    sentences = sample_sentences()
    assert len(sentences) > 60
    assert "consultant helping businesses grow" in sentences
    names = {p.relative_to(ROOT).as_posix() for p in files()}
    assert {"matcher/specificity.py", "data/customers/segments.csv",
            "data/labelled/need_offer_pairs.csv", "models/pair_relation.json"} <= names


def test_no_code_or_lexicon_file_holds_a_sample_specialty_sentence():
    sentences = sample_sentences()
    found = []
    for path in files():
        text = " ".join(path.read_text(encoding="utf-8", errors="ignore").lower().split())
        found += [f"{path.relative_to(ROOT)}: {s!r}" for s in sentences if s in text]
    assert not found, "\n".join(found)
