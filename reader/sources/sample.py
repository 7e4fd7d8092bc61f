"""The bundled sample: a saved Hugging Face papers page about optimizers (36 papers).

The app opens on it when the user has imported nothing, so ``reader`` shows real papers
on a fresh machine.
"""

from __future__ import annotations

from importlib import resources

from reader.model import Paper
from reader.parsers import decode
from reader.parsers.listing import parse_listing

SAMPLE_FILE = "hf-papers-optimizers.txt"
SAMPLE_SOURCE = "sample: Hugging Face papers, optimizers"


def sample_papers() -> list[Paper]:
    data = resources.files(__package__).joinpath(SAMPLE_FILE).read_bytes()
    return parse_listing(decode(data), source=SAMPLE_SOURCE)
