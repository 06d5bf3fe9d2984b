"""How well action items are found in minutes: measured on the labelled sentences.

Runs `xietong.meetings.extraction.extract_action_items` over tests/meetings/minutes_labelled.jsonl
(each sentence alone, against its row's meeting date at 10:00 in Asia/Shanghai and the file's
candidates) and prints, per split (`dev`, the rules were tuned on; `held_out`, written before
tuning and never tuned on):

- owner_accuracy: rows whose items have exactly the expected owners (a sentence with no item
  counts: proposing one there is wrong);
- due_accuracy: rows whose items have exactly the expected due dates;
- task_accuracy: rows whose items have exactly the expected task texts (punctuation and spaces
  aside), a stricter figure: where a task starts and ends is partly taste;
- negatives_silent: of the rows with no item, how many gave none; items_found / items_expected;
- and the speed: sentences per second over the whole set, and a 1 MB minutes page.

Run: .venv/bin/python -m bench.extraction
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from xietong.meetings.extraction import Candidate, ProposedItem, extract_action_items

LABELLED = Path(__file__).parent.parent / "tests" / "meetings" / "minutes_labelled.jsonl"
_NOT_TASK_TEXT = re.compile(r"[\s，,。.、：:；;！!？?]")


@dataclass(frozen=True)
class Labelled:
    split: str
    batch: int  # held-out sentences were written in batches, each before it was first run
    sentence: str
    meeting_at: datetime
    items: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class LabelledSet:
    zone: ZoneInfo
    candidates: tuple[Candidate, ...]
    rows: tuple[Labelled, ...]


def load_labelled(path: Path = LABELLED) -> LabelledSet:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    zone = ZoneInfo(header["zone"])
    at = clock.fromisoformat(header["meeting_time"])
    candidates = tuple(Candidate(c["kind"], c["id"], tuple(c["names"]))
                       for c in header["candidates"])
    rows = []
    for line in lines[1:]:
        row = json.loads(line)
        meeting_at = datetime.combine(date.fromisoformat(row["meeting_date"]), at, tzinfo=zone)
        rows.append(Labelled(row["split"], row["batch"], row["sentence"], meeting_at,
                             tuple(row["items"])))
    return LabelledSet(zone, candidates, tuple(rows))


def extract(labelled: LabelledSet, row: Labelled) -> list[ProposedItem]:
    return extract_action_items(row.sentence, meeting_at=row.meeting_at, zone=labelled.zone,
                                candidates=labelled.candidates)


def _task(text: str) -> str:
    return _NOT_TASK_TEXT.sub("", text)


def compare(row: Labelled, found: list[ProposedItem]) -> dict[str, bool]:
    """Whether the items found have the expected owners, due dates and task texts."""
    owners = sorted(i.owner.names[0] if i.owner else "" for i in found)
    dues = sorted(i.due_on.isoformat() if i.due_on else "" for i in found)
    tasks = sorted(_task(i.title) for i in found)
    return {"owner": owners == sorted(e["owner"] or "" for e in row.items),
            "due": dues == sorted(e["due"] or "" for e in row.items),
            "task": tasks == sorted(_task(e["task"]) for e in row.items)}


def evaluate(labelled: LabelledSet, split: str, batch: int | None = None) -> dict[str, Any]:
    rows = [r for r in labelled.rows if r.split == split and batch in (None, r.batch)]
    right = {"owner": 0, "due": 0, "task": 0}
    negatives = silent = expected = found_count = 0
    misses = []
    for row in rows:
        found = extract(labelled, row)
        verdict = compare(row, found)
        for key, ok in verdict.items():
            right[key] += ok
        expected += len(row.items)
        found_count += len(found)
        if not row.items:
            negatives += 1
            silent += not found
        if not all(verdict.values()):
            misses.append({"sentence": row.sentence, "expected": list(row.items), "found": [
                {"owner": i.owner.names[0] if i.owner else None, "task": i.title,
                 "due": i.due_on.isoformat() if i.due_on else None} for i in found]})
    return {"rows": len(rows),
            "owner_accuracy": round(right["owner"] / len(rows), 3),
            "due_accuracy": round(right["due"] / len(rows), 3),
            "task_accuracy": round(right["task"] / len(rows), 3),
            "negatives_silent": f"{silent}/{negatives}",
            "items_found": found_count, "items_expected": expected,
            "misses": misses}


def speed(labelled: LabelledSet) -> dict[str, Any]:
    rows = labelled.rows
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for row in rows:
            extract(labelled, row)
    per_sentence = (time.perf_counter() - started) / (rounds * len(rows))
    # A minutes page of 1 MB: the labelled sentences over and over, one a line.
    page_lines = [row.sentence for row in rows]
    page = "\n".join(page_lines)
    page = "\n".join([page] * (1_000_000 // len(page.encode()) + 1))
    started = time.perf_counter()
    items = extract_action_items(page, meeting_at=rows[0].meeting_at, zone=labelled.zone,
                                 candidates=labelled.candidates)
    page_seconds = time.perf_counter() - started
    return {"sentences_per_s_one_by_one": round(1 / per_sentence),
            "page_bytes": len(page.encode()), "page_seconds": round(page_seconds, 3),
            "page_lines_per_s": round(page.count("\n") / page_seconds),
            "page_items": len(items)}


def main() -> None:
    labelled = load_labelled()
    result = {split: evaluate(labelled, split) for split in ("dev", "held_out")}
    for batch in sorted({r.batch for r in labelled.rows if r.split == "held_out"}):
        result[f"held_out_batch_{batch}"] = evaluate(labelled, "held_out", batch)
    result["speed"] = speed(labelled)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
