"""Several codes in one scene: all read, once each, in reading order; stages merge."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from rendering import canvas, paste, quad, symbol

from imgqrcode import Code, Point, Position, ScanOptions, scan
from imgqrcode.reader import decoder, geometry, image_loader, merge, pipeline
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.stage import StageContext


def scene() -> tuple[np.ndarray, list[tuple[str, tuple[int, int, int, int]]]]:
    """Two rows: a tall QR code with a short EAN-13 beside it (its centre within the QR's
    height) and a DataMatrix; below, a Code 128 and the same QR content printed twice."""
    image = canvas(1300, 1000)
    placed = [
        ("big QR", paste(image, symbol("QRCode", "big QR", scale=8), 40, 40)),
        ("5901234123457", paste(image, symbol("EAN13", "5901234123457", scale=2), 420, 110)),
        ("matrix", paste(image, symbol("DataMatrix", "matrix", scale=6), 900, 60)),
        ("code 128 row two", paste(image, symbol("Code128", "code 128 row two", scale=2), 40, 640)),
        ("twice", paste(image, symbol("QRCode", "twice", scale=5), 560, 600)),
        ("twice", paste(image, symbol("QRCode", "twice", scale=5), 950, 610)),
    ]
    return image, placed


def test_scene_in_reading_order_with_repeated_content_kept():
    image, placed = scene()
    codes = scan(image).codes
    assert [c.data for c in codes] == [text for text, _ in placed]
    for code, (_, (left, top, right, _)) in zip(codes, placed, strict=True):
        corners = quad(code)
        assert abs(corners[:, 0].min() - left) <= 12 and abs(corners[:, 0].max() - right) <= 12
        assert abs(corners[:, 1].min() - top) <= 12


def test_reading_order_rows_and_columns():
    def code(x: int, y: int, size: int, name: str) -> Code:
        box = Position(
            Point(x, y), Point(x + size, y), Point(x + size, y + size), Point(x, y + size)
        )
        return Code("QR_CODE", name, box)

    codes = [
        code(600, 420, 40, "row 2 right"),
        code(500, 10, 30, "row 1 right"),
        code(0, 0, 300, "tall left"),  # rows 1 and 2 both lie within its height
        code(10, 700, 50, "row 3"),
        code(300, 260, 40, "beside tall"),
    ]
    assert [c.data for c in merge.reading_order(codes)] == [
        "tall left",
        "beside tall",
        "row 1 right",
        "row 2 right",
        "row 3",
    ]


def test_a_line_and_a_box_on_the_same_code_are_one_code():
    line = Code(
        "EAN_13",
        "5901234123457",
        Position(Point(10, 50), Point(200, 50), Point(200, 51), Point(10, 51)),
    )
    box = Code(
        "EAN_13",
        "5901234123457",
        Position(Point(10, 10), Point(200, 10), Point(200, 90), Point(10, 90)),
    )
    elsewhere = Code(
        "EAN_13",
        "5901234123457",
        Position(Point(400, 10), Point(590, 10), Point(590, 90), Point(400, 90)),
    )
    assert merge.merged([line], [box, elsewhere]) == [box, elsewhere]
    assert merge.merged([box], [line]) == [box]


@dataclass
class HalfSizeStage:
    """A real stage: it reads a half-size copy and maps its corners back."""

    name: str = "half"
    seen: tuple[Code, ...] = ()

    def __call__(self, view: ImageView, context: StageContext) -> list[Code]:
        self.seen = tuple(context.found)
        small = cv2.resize(view.gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        return decoder.decode(
            small, (view.width, view.height), transform=geometry.scaling(2.0), stage=self.name
        )


def test_a_stage_on_a_rescaled_copy_maps_back_and_merges():
    image, placed = scene()
    view = image_loader.load(image, 10**8)
    stage = HalfSizeStage()
    codes, timings = pipeline.run(view, ScanOptions(time_budget=5.0), stages=[stage])
    assert [c.data for c in codes] == [text for text, _ in placed]
    assert {c.stage for c in codes} == {"fast"}
    assert len(stage.seen) == len(placed)
    assert set(timings) == {"fast", "half"}
    direct = decoder.decode(
        small := cv2.resize(image, None, fx=0.5, fy=0.5),
        (1300, 1000),
        transform=geometry.scaling(2.0),
    )
    assert small.shape == (500, 650)
    for mapped in direct:
        original = next(
            c for c in codes if c.data == mapped.data and geometry.same_place(quad(c), quad(mapped))
        )
        assert np.abs(quad(original) - quad(mapped)).max() <= 6


def test_a_crop_decoded_with_its_offset_lands_in_the_original_frame():
    image, _ = scene()
    crop = np.ascontiguousarray(image[550:1000, 450:1300])
    codes = decoder.decode(crop, (1300, 1000), transform=geometry.translation(450, 550))
    full = {c.data + str(c.position.left_top.x // 100): quad(c) for c in scan(image).codes}
    for code in codes:
        key = code.data + str(code.position.left_top.x // 100)
        assert np.abs(full[key] - quad(code)).max() <= 1


def test_no_stage_runs_after_the_deadline():
    view = image_loader.load(scene()[0], 10**8)
    stage = HalfSizeStage()
    _, timings = pipeline.run(view, ScanOptions(time_budget=0.0), stages=[stage])
    assert set(timings) == {"fast"}
    assert stage.seen == ()


def test_timings_are_reported():
    result = scan(scene()[0])
    assert {"load", "fast", "total"} <= set(result.timings)
    assert result.timings["total"] >= result.timings["fast"]
