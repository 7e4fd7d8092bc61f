"""reader's own export: one JSON object per line, every :class:`Paper` field.

``reader.parsers.jsonish`` reads it back field for field (ids included), so
export -> import gives equal papers. Notes are not part of a paper and are not written.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import TextIO

from reader.model import Paper


def write(papers: Iterable[Paper], out: TextIO, notes: Mapping[str, str] | None = None) -> int:
    count = 0
    for paper in papers:
        out.write(json.dumps(dataclasses.asdict(paper), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
