"""Make untrusted paper text safe to show in a terminal.

Titles and abstracts come from files and services we do not control. They may hold ANSI
or OSC escape sequences, other control characters and stray whitespace. These functions
return plain text with none of that; the UI then shows it literally (never as markup).
The store keeps the original text.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, and the
# 8-bit CSI/OSC introducers.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
# Line and paragraph breaks in their many spellings, made plain newlines first so the
# words on either side stay apart.
_BREAKS = [("\r\n", "\n"), ("\r", "\n"), ("\x0b", "\n"), ("\x0c", "\n"),
           ("\x85", "\n"), ("\u2028", "\n"), ("\u2029", "\n\n")]
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b\ufeff]")
_SPACES = re.compile(r"[ \t\r\n\x0b\x0c\u00a0]+")


def strip_controls(text: str) -> str:
    """``text`` without escape sequences and control characters (newlines and tabs kept)."""
    text = _ESCAPES.sub("", text)
    for brk, newline in _BREAKS:
        text = text.replace(brk, newline)
    return _CONTROLS.sub("", text)


def clean_line(text: str) -> str:
    """One line of safe text: controls removed, all whitespace runs folded to one space."""
    return _SPACES.sub(" ", strip_controls(text)).strip()


def clean_block(text: str) -> str:
    """Safe multi-paragraph text: paragraphs (blank-line separated) kept, lines re-flowed."""
    text = strip_controls(text)
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(p for p in (clean_line(p) for p in paragraphs) if p)
