"""A labelled image folder (like ``../shared/corpus/zxing-cpp-samples``) and its matching rule.

Layout: one JSON file per image, same stem, ``{"image": ..., "difficulty": ...,
"codes": [{"format": <zxing-cpp format name>, "text": ...}]}``; ``codes`` is empty for
images that hold no code (any read there is a false positive).

The matching rule: a read matches a label when both name the same symbology and carry
the same text, after these normalisations, applied to labels and reads alike:

- the EAN/UPC family (EAN-13, UPC-A, UPC-E) is one symbology, compared on the 13-digit
  EAN-13 form: the corpus labels a UPC-A with its 13-digit EAN-13 text and a UPC-E with
  the 13-digit EAN-13 text of its expansion, while the contract's ``UPC_A`` carries 12
  digits and ``UPC_E`` its 8 printed digits, and plain zxing-cpp calls a UPC-A an EAN-13;
- a label with an empty format is an EAN/UPC symbol with its 2- or 5-digit add-on
  appended: it matches a read of the main symbol, with or without the add-on;
- every other format is compared by its contract ``type_name`` (so ``DataBar`` and
  ``DataBarOmni`` are both ``RSS_14``), text exactly (control characters included).

Each label matches at most one read and each read at most one label.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import zxingcpp

from imgqrcode.reader import symbology

EAN_UPC = "EAN_UPC"
"""The symbology name the matching rule gives EAN-13, UPC-A and UPC-E alike."""

ADD_ON = "EAN_UPC_ADD_ON"
"""The symbology name of labels with an empty format (a symbol with its add-on)."""

_EAN_UPC_NAMES = frozenset({symbology.EAN_13, symbology.UPC_A, symbology.UPC_E})


@dataclass(frozen=True, slots=True)
class Read:
    """One code as a reader returned it: contract ``type_name`` and ``data``."""

    type_name: str
    data: str


@dataclass(frozen=True, slots=True)
class Label:
    """One expected code: the corpus's zxing-cpp format name (maybe empty) and text."""

    format: str
    text: str

    @property
    def type_name(self) -> str:
        """The contract name this label's symbology reports under (``ADD_ON`` for '')."""
        if not self.format:
            return ADD_ON
        return symbology.type_name_of_format(getattr(zxingcpp.BarcodeFormat, self.format))


@dataclass(frozen=True, slots=True)
class Sample:
    image: Path
    difficulty: str
    labels: tuple[Label, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of matching one image's reads against its labels."""

    found: tuple[Label, ...]
    missed: tuple[Label, ...]
    false_positives: tuple[Read, ...]


def load(folder: Path) -> list[Sample]:
    """Every labelled image in ``folder``, sorted by name."""
    samples = []
    for label_file in sorted(folder.glob("*.json")):
        entry = json.loads(label_file.read_text(encoding="utf-8"))
        labels = tuple(Label(code["format"], code["text"]) for code in entry["codes"])
        samples.append(Sample(folder / entry["image"], entry["difficulty"], labels))
    return samples


def match(labels: Sequence[Label], reads: Iterable[Read]) -> Match:
    """Pair reads with labels one to one under the module's matching rule."""
    open_labels = list(labels)
    found: list[Label] = []
    false_positives: list[Read] = []
    for read in reads:
        key = _read_key(read)
        hit = next((label for label in open_labels if key in _label_keys(label)), None)
        if hit is None:
            false_positives.append(read)
        else:
            open_labels.remove(hit)
            found.append(hit)
    return Match(tuple(found), tuple(open_labels), tuple(false_positives))


def _read_key(read: Read) -> tuple[str, str]:
    if read.type_name == symbology.UPC_A and len(read.data) == 12:
        return EAN_UPC, "0" + read.data
    if read.type_name == symbology.UPC_E and len(read.data) == 8:
        return EAN_UPC, "0" + symbology.upce_to_upca(read.data)
    if read.type_name in _EAN_UPC_NAMES:
        return EAN_UPC, read.data
    return read.type_name, read.data


def _label_keys(label: Label) -> set[tuple[str, str]]:
    name = label.type_name
    if name == ADD_ON:
        text = label.text
        return {(EAN_UPC, text), (EAN_UPC, text[:-2]), (EAN_UPC, text[:-5])}
    if name in _EAN_UPC_NAMES:
        return {(EAN_UPC, label.text)}
    return {(name, label.text)}
