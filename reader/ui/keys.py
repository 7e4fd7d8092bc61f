"""Key remapping: the ``[keys]`` table of the config file.

Every key a user might want elsewhere has a binding id (``bookmark``, ``note``,
``tags``, ``down``...). ``[keys]`` maps ids to keys in Textual's spelling, several
separated by commas::

    [keys]
    bookmark = "B"
    down = "down,j,ctrl+n"

An unknown id or a value that is not a key string is reported in one line and left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from textual.binding import Binding

# a key: letters, digits, and Textual's names (ctrl+x, shift+space, question_mark, f5)
_KEY = re.compile(r"^(?:(?:ctrl|shift|alt|super|meta)\+)*(?:[^\s,+]|[a-z][a-z0-9_]+)$")


def binding_ids(classes: Iterable[type]) -> dict[str, str]:
    """Every binding id of these classes (and their BINDINGS lists) → its description."""
    found: dict[str, str] = {}
    for cls in classes:
        for binding in getattr(cls, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, binding.description or binding.action)
    return found


def keymap_from_config(table: Mapping[str, object], known: Mapping[str, str],
                       where: str) -> tuple[dict[str, str], list[str]]:
    """The keymap the ``[keys]`` table asks for, and one line per problem in it."""
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for name, value in table.items():
        if name not in known:
            problems.append(f"{where}: [keys] {name}: no such key binding "
                            f"(one of: {', '.join(sorted(known))})")
            continue
        keys = [key.strip() for key in value.split(",")] if isinstance(value, str) else []
        if not keys or not all(_KEY.match(key) for key in keys):
            problems.append(f"{where}: [keys] {name} = {value!r}: not a key "
                            '(try "b", "ctrl+b" or "B,ctrl+b")')
            continue
        keymap[name] = ",".join(keys)
    return keymap, problems
