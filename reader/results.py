"""Result lists that do not hold every id: what a search or a listing gives the UI.

A search can match most of a 185,000-paper library. Reading every match's id (and
scoring every match) costs far more than the screenful the user sees, so a query
returns a sequence that knows its length and fetches ids when asked:

- ``LibraryOrder``: the whole library in arrival order, read from the store a page at
  a time (its length is one ``count``).
- ``Ranked``: a search's matches, best first. The first page comes with the query;
  the rest is ranked only when something asks for a position past it (scrolling
  down, jumping to the end, sorting). Until then the length is the index's estimate.

Both are ordinary read-only sequences (indexing, slicing, ``len``, iteration), so the
CLI can treat them as lists. Reading past what is loaded does the work there and
then; the UI asks ``ready()`` first and loads in a worker instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import overload

PAGE = 256


class LazyIds(Sequence[str]):
    """Common ground: ``ready`` says whether positions can be read without waiting."""

    exact = True

    def ready(self, start: int, stop: int) -> bool:  # pragma: no cover - overridden
        return True

    def load(self) -> None:
        """Do whatever ``ready`` would wait for (blocking: run it in a worker)."""

    def loaded(self) -> Sequence[str]:
        """The ids known without more work (to look for a paper without waiting)."""
        return ()

    def position(self, paper_id: str) -> int | None:
        """Where ``paper_id`` is, if that is known without more work."""
        try:
            return list(self.loaded()).index(paper_id)
        except ValueError:
            return None


# (limit, offset=, after=, before=, from_end=) -> [(arrival number, id)]: see
# Store.page_in_order (the arrival numbers it stops at are fixed by the caller)
PageFetch = Callable[..., list[tuple[int, str]]]


class LibraryOrder(LazyIds):
    """Every paper in arrival order, ``count`` of them, read in pages of ``PAGE``.

    A page is read next to a page already read (the papers after its last one, or
    before its first), else by its distance from the nearer end: jumping to the end of
    185,000 papers or paging through them costs what it costs at the start."""

    def __init__(self, count: int, fetch: PageFetch,
                 locate: Callable[[str], int | None]) -> None:
        self._count = count
        self._fetch = fetch
        self._locate = locate  # id -> position
        self._pages: dict[int, tuple[list[int], list[str]]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    def ready(self, start: int, stop: int) -> bool:
        return True  # one indexed store read per page: quick enough to do in place

    def _page(self, number: int) -> list[str]:
        with self._lock:
            page = self._pages.get(number)
            if page is None:
                if len(self._pages) > 64:
                    self._pages.clear()
                page = self._pages[number] = self._read_page(number)
            return page[1]

    def _read_page(self, number: int) -> tuple[list[int], list[str]]:
        start = number * PAGE
        size = max(0, min(PAGE, self._count - start))
        before, after = self._pages.get(number - 1), self._pages.get(number + 1)
        if before is not None and len(before[0]) == PAGE:
            rows = self._fetch(size, after=before[0][-1])
        elif after is not None and after[0]:
            rows = self._fetch(size, before=after[0][0])
        elif start > self._count // 2:
            rows = self._fetch(size, offset=self._count - start - size, from_end=True)
        else:
            rows = self._fetch(size, offset=start)
        return [seq for seq, _ in rows], [paper_id for _, paper_id in rows]

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            found: list[str] = []
            position = start
            while position < stop:
                number, offset = divmod(position, PAGE)
                page = self._page(number)
                if offset >= len(page):
                    break  # the library shrank since it was counted
                chunk = page[offset : offset + stop - position]
                found.extend(chunk)
                position += len(chunk)
            return found
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        page = self._page(index // PAGE)
        if index % PAGE >= len(page):
            raise IndexError(index)
        return page[index % PAGE]

    def __iter__(self) -> Iterator[str]:
        for number in range(0, (self._count + PAGE - 1) // PAGE):
            yield from self._page(number)

    def loaded(self) -> Sequence[str]:
        return self[:PAGE]

    def position(self, paper_id: str) -> int | None:
        found = self._locate(paper_id)
        return found if found is not None and found < self._count else None


class Ranked(LazyIds):
    """A search's matches, best first: ``first`` now, the rest from ``rank_all()``.

    ``estimate`` is the number of matches as far as the index can tell without
    ranking them all (``exact`` says whether it is the true count).
    """

    def __init__(self, first: list[str], estimate: int, exact: bool,
                 rank_all: Callable[[], list[str]]) -> None:
        self._first = first
        self._estimate = max(estimate, len(first))
        self._exact = exact
        self._rank_all = rank_all
        self._all: list[str] | None = first if exact and estimate <= len(first) else None
        self._lock = threading.Lock()

    @property
    def exact(self) -> bool:  # type: ignore[override]
        return self._all is not None or self._exact

    def __len__(self) -> int:
        return len(self._all) if self._all is not None else self._estimate

    def ready(self, start: int, stop: int) -> bool:
        return self._all is not None or stop <= len(self._first)

    def load(self) -> None:
        with self._lock:
            if self._all is None:
                ranked = self._rank_all()
                # The first page stays where the user saw it; the rest follows.
                shown = set(self._first)
                self._all = self._first + [i for i in ranked if i not in shown]

    def loaded(self) -> Sequence[str]:
        return self._all if self._all is not None else self._first

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, _ = index.indices(len(self))
            if self._all is None and (stop > len(self._first) or start > stop):
                self.load()
            return (self._all if self._all is not None else self._first)[index]
        if self._all is None and not 0 <= index < len(self._first):
            self.load()  # past the first page, or from the end: rank them all
        return (self._all if self._all is not None else self._first)[index]

    def __iter__(self) -> Iterator[str]:
        if self._all is None:
            self.load()
        assert self._all is not None
        return iter(self._all)
