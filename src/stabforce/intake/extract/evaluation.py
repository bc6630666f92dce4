"""Evaluation against the labelled corpus in ``stabforce/intake/corpus``.

Corpus files are YAML: ``split`` (``dev`` or ``heldout``) and ``items``, each with ``id``,
``text``, ``published`` (date), optional ``publisher`` and ``expect``: claim kind -> list of
expected claims, each a mapping of key fields. Shorthands: ``nation_mention: [PAK, TUR]`` and
``organisation_mention: [UNSC]``. Labels are *exhaustive*: a kind missing from ``expect``
means the item supports no claim of that kind, so anything predicted is a false positive.
Besides the claim kinds, ``date`` scores the date expressions (``value``, ``earliest``,
``latest``, ``inconsistent``).

Matching, per item and kind:

1. Predicted claims are de-duplicated on the kind's identity fields (``IDENTITY``): the same
   fact stated twice in one item counts once.
2. An expected claim matches a predicted one when *every field the label gives* is equal
   after normalisation (strings compared case-insensitively with whitespace collapsed, lists
   as sorted lists, numbers as numbers, ``null`` must be ``None``). Fields the label does not
   give are not compared.
3. Expected and predicted claims are paired one-to-one by maximum bipartite matching.
   TP = pairs, FP = unpaired predictions, FN = unpaired labels. Precision, recall and F1 are
   computed from TP/FP/FN summed over items (micro average) per kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .model import CLAIM_KINDS, DateRef, Extraction
from .pipeline import extract

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"

#: Kinds scored: every claim kind plus ``date`` (date expressions).
EVAL_KINDS: tuple[str, ...] = (*CLAIM_KINDS, "date")

#: Fields that identify one fact of a kind (used to de-duplicate predictions).
IDENTITY: dict[str, tuple[str, ...]] = {
    "nation_mention": ("nation",),
    "organisation_mention": ("organisation",),
    "official": ("name", "role", "nation"),
    "force_offer": (
        "nation",
        "stance",
        "force_kind",
        "size",
        "size_min",
        "size_max",
        "qualifier",
    ),
    "condition": ("nation", "condition_kind"),
    "caveat": ("nation", "caveat_kind", "task", "sector", "max_months"),
    "consultation": ("participants", "date"),
    "party_stance": ("party", "nation", "stance"),
    "statement": ("speaker", "utterance"),
    "date": ("value", "earliest", "latest"),
}

#: Fields a label must give (checked by the corpus lint test).
REQUIRED: dict[str, tuple[str, ...]] = {
    "nation_mention": ("nation",),
    "organisation_mention": ("organisation",),
    "official": (),  # plus "name" or "role" (checked by the corpus lint test)
    "force_offer": ("nation", "stance"),
    "condition": ("nation", "condition_kind"),
    "caveat": ("nation", "caveat_kind"),
    "consultation": ("participants",),
    "party_stance": ("party", "nation", "stance"),
    "statement": ("speaker",),
    "date": (),
}


@dataclass(frozen=True)
class CorpusItem:
    """One labelled text."""

    id: str
    split: str
    text: str
    published: date | None
    publisher: str | None
    expect: dict[str, list[dict[str, Any]]]
    source: str


@dataclass
class KindScore:
    """Counts and scores for one claim kind."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """Number of labelled claims."""
        return self.tp + self.fn


@dataclass(frozen=True)
class Mismatch:
    """A label not found (``missing``) or a prediction not labelled (``spurious``)."""

    item: str
    kind: str
    missing: tuple[dict[str, Any], ...]
    spurious: tuple[dict[str, Any], ...]


@dataclass
class EvaluationReport:
    """Scores per kind, overall and per split, with the mismatches for inspection."""

    items: int
    scores: dict[str, KindScore]
    split_scores: dict[str, dict[str, KindScore]]
    split_items: dict[str, int]
    mismatches: list[Mismatch] = field(default_factory=list)

    def format(self) -> str:
        return format_report(self)


def load_corpus(corpus_dir: Path | str | None = None) -> list[CorpusItem]:
    """All items of all ``*.yaml`` files in ``corpus_dir`` (sorted by file name)."""
    folder = Path(corpus_dir) if corpus_dir else CORPUS_DIR
    items: list[CorpusItem] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        split = str(data.get("split", "dev"))
        for raw in data.get("items", []):
            expect = {k: _expand(k, v) for k, v in (raw.get("expect") or {}).items()}
            published = raw.get("published")
            if isinstance(published, str):
                published = date.fromisoformat(published)
            items.append(
                CorpusItem(
                    id=str(raw["id"]),
                    split=split,
                    text=str(raw["text"]).strip(),
                    published=published,
                    publisher=raw.get("publisher"),
                    expect=expect,
                    source=path.name,
                )
            )
    return items


def _expand(kind: str, labels: list[Any]) -> list[dict[str, Any]]:
    out = []
    for label in labels or []:
        if isinstance(label, str) and kind == "nation_mention":
            out.append({"nation": label})
        elif isinstance(label, str) and kind == "organisation_mention":
            out.append({"organisation": label})
        else:
            out.append(dict(label))
    return out


def predicted(extraction: Extraction) -> dict[str, list[dict[str, Any]]]:
    """Predictions of one text as plain dicts per kind, de-duplicated on identity fields."""
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in EVAL_KINDS}
    seen: dict[str, set[tuple]] = {k: set() for k in EVAL_KINDS}
    rows = [c.as_dict() for c in extraction.claims] + [_date_row(d) for d in extraction.dates]
    for row in rows:
        kind = row["kind"]
        ident = tuple(_norm(row.get(f)) for f in IDENTITY[kind])
        if ident in seen[kind]:
            continue
        seen[kind].add(ident)
        out[kind].append(row)
    return out


def _date_row(d: DateRef) -> dict[str, Any]:
    return {
        "kind": "date",
        "surface": d.span.text,
        "value": d.value.isoformat() if d.value else None,
        "earliest": d.earliest.isoformat() if d.earliest else None,
        "latest": d.latest.isoformat() if d.latest else None,
        "candidates": [c.isoformat() for c in d.candidates],
        "inconsistent": d.inconsistency is not None,
    }


def _norm(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value).strip().casefold()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple):
        return tuple(sorted((_norm(v) for v in value), key=repr))
    return value


def matches(label: dict[str, Any], row: dict[str, Any]) -> bool:
    """True when every field the label gives equals the prediction's (normalised)."""
    return all(_norm(row.get(k)) == _norm(v) for k, v in label.items())


def _max_matching(labels: list[dict], rows: list[dict]) -> list[tuple[int, int]]:
    """Maximum bipartite matching (Kuhn's augmenting paths); returns (label, row) pairs."""
    edges = [[j for j, r in enumerate(rows) if matches(lab, r)] for lab in labels]
    owner: dict[int, int] = {}

    def augment(i: int, visited: set[int]) -> bool:
        for j in edges[i]:
            if j in visited:
                continue
            visited.add(j)
            if j not in owner or augment(owner[j], visited):
                owner[j] = i
                return True
        return False

    for i in range(len(labels)):
        augment(i, set())
    return [(i, j) for j, i in owner.items()]


def score_item(
    item: CorpusItem, extraction: Extraction | None = None
) -> tuple[dict[str, KindScore], list[Mismatch]]:
    """Scores of one item per kind, and what did not match."""
    extraction = extraction or extract(
        item.text, published=item.published, publisher=item.publisher
    )
    preds = predicted(extraction)
    scores: dict[str, KindScore] = {}
    mismatches: list[Mismatch] = []
    for kind in EVAL_KINDS:
        labels = item.expect.get(kind, [])
        rows = preds[kind]
        pairs = _max_matching(labels, rows)
        score = KindScore(tp=len(pairs), fp=len(rows) - len(pairs), fn=len(labels) - len(pairs))
        scores[kind] = score
        if score.fp or score.fn:
            got_l = {i for i, _ in pairs}
            got_r = {j for _, j in pairs}
            mismatches.append(
                Mismatch(
                    item=item.id,
                    kind=kind,
                    missing=tuple(lab for i, lab in enumerate(labels) if i not in got_l),
                    spurious=tuple(r for j, r in enumerate(rows) if j not in got_r),
                )
            )
    return scores, mismatches


def evaluate(
    corpus_dir: Path | str | None = None, *, splits: tuple[str, ...] | None = None
) -> EvaluationReport:
    """Run extraction over the corpus and score every kind (see module docstring)."""
    items = [i for i in load_corpus(corpus_dir) if splits is None or i.split in splits]
    total = {k: KindScore() for k in EVAL_KINDS}
    per_split: dict[str, dict[str, KindScore]] = {}
    split_items: dict[str, int] = {}
    mismatches: list[Mismatch] = []
    for item in items:
        scores, miss = score_item(item)
        mismatches.extend(miss)
        split = per_split.setdefault(item.split, {k: KindScore() for k in EVAL_KINDS})
        split_items[item.split] = split_items.get(item.split, 0) + 1
        for kind, s in scores.items():
            for bucket in (total[kind], split[kind]):
                bucket.tp += s.tp
                bucket.fp += s.fp
                bucket.fn += s.fn
    return EvaluationReport(
        items=len(items),
        scores=total,
        split_scores=per_split,
        split_items=split_items,
        mismatches=mismatches,
    )


def format_report(report: EvaluationReport) -> str:
    """A plain-text table: per kind precision, recall, F1 and counts, for all and per split."""
    lines: list[str] = []

    def table(title: str, scores: dict[str, KindScore]) -> None:
        lines.append(title)
        lines.append(
            f"{'kind':<22}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}{'support':>9}"
        )
        overall = KindScore()
        for kind in EVAL_KINDS:
            s = scores[kind]
            overall.tp += s.tp
            overall.fp += s.fp
            overall.fn += s.fn
            lines.append(
                f"{kind:<22}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
                f"{s.tp:>6}{s.fp:>6}{s.fn:>6}{s.support:>9}"
            )
        s = overall
        lines.append(
            f"{'(micro, all kinds)':<22}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
            f"{s.tp:>6}{s.fp:>6}{s.fn:>6}{s.support:>9}"
        )
        lines.append("")

    table(f"All items ({report.items})", report.scores)
    for split in sorted(report.split_scores):
        table(f"Split {split} ({report.split_items[split]} items)", report.split_scores[split])
    return "\n".join(lines).rstrip() + "\n"
