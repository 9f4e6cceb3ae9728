"""The synthetic corpus is a yardstick only if it is reproducible and its truth is right."""

import io
import json

import numpy as np
import pytest
import synth
import zxingcpp
from PIL import Image

EASY_SCENES = range(12)
TWO_D = {"QRCode", "DataMatrix", "Aztec"}


def corners_of(barcode: zxingcpp.Barcode) -> np.ndarray:
    p = barcode.position
    return np.array(
        [[q.x, q.y] for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)], float
    )


def reading_direction(corners: np.ndarray) -> np.ndarray:
    """From the middle of the left edge to the middle of the right edge."""
    return (corners[1] + corners[2] - corners[0] - corners[3]) / 2


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_same_seed_same_bytes():
    first = synth.render_scene(7, 3, "mixed")
    second = synth.render_scene(7, 3, "mixed")
    assert first == second
    assert synth.render_scene(8, 3, "mixed")[0] != first[0]


def test_written_corpus_is_independent_of_count_and_jobs(tmp_path):
    synth.main([str(tmp_path / "a"), "--count", "3", "--seed", "4"])
    synth.main([str(tmp_path / "b"), "--count", "2", "--seed", "4", "--jobs", "2"])
    for name in ("synth-4-00000", "synth-4-00001"):
        for suffix in (".jpg", ".json"):
            a = (tmp_path / "a" / name).with_suffix(suffix).read_bytes()
            assert a == (tmp_path / "b" / name).with_suffix(suffix).read_bytes()
    truth = json.loads((tmp_path / "a" / "synth-4-00002.json").read_text(encoding="utf-8"))
    assert truth["image"] == "synth-4-00002.jpg"
    assert truth["difficulty"] in {"synth-easy", "synth-medium", "synth-hard"}


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_truth_is_well_formed(level):
    data, truth = synth.render_scene(11, 0, level)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert truth["difficulty"] == f"synth-{level}"
    for code in truth["codes"]:
        assert code["format"] in synth.FORMAT_WEIGHTS
        assert code["text"]
        corners = np.array(code["corners"])
        assert corners.shape == (4, 2)
        assert (corners >= 0).all()
        assert (corners <= [image.width, image.height]).all()


def test_easy_scenes_read_plainly_with_matching_corners():
    """Plain zxing-cpp reads easy scenes; where it reads a 2D code, it puts the corners
    where the truth does, in the same order (the corner tracking and order are right); a 1D
    code's truth runs in the direction zxing-cpp reads it, whichever way up it lies."""
    labels = read = 0
    errors, directions = [], []
    for index in EASY_SCENES:
        data, truth = synth.render_scene(5, index, "easy")
        found = zxingcpp.read_barcodes(
            Image.open(io.BytesIO(data)), text_mode=zxingcpp.TextMode.Plain
        )
        for code in truth["codes"]:
            labels += 1
            hits = [b for b in found if b.text == code["text"]]
            if not hits:
                continue
            read += 1
            got, want = corners_of(hits[0]), np.array(code["corners"])
            if code["format"] in TWO_D:
                errors.append(np.abs(got - want).max())
            else:
                directions.append(cosine(reading_direction(got), reading_direction(want)))
    assert labels >= 12
    assert read >= 0.9 * labels
    assert errors
    assert max(errors) <= 3.0
    assert directions
    assert min(directions) > 0.9


@pytest.mark.parametrize("fmt", sorted(synth.LINEAR_FORMATS))
def test_linear_symbol_ends_on_bars(fmt):
    """A 1D symbol's truth box hugs its outer bars: a writer's trailing space (Codabar's)
    belongs to the quiet zone, or every corner of that symbology would be a module off."""
    modules = synth._render(np.random.default_rng(3), fmt).modules
    assert (modules[:, 0] == 0).all()
    assert (modules[:, -1] == 0).all()
