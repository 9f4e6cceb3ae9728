"""The box-cost benchmark times the pipeline with its boxes and with them ready, and
leaves ``bar_box.measure`` as it found it."""

import box_share
import numpy as np
import synth
import zxingcpp

from imgqrcode.reader import bar_box, decoder


def ean_13() -> np.ndarray:
    barcode = zxingcpp.create_barcode("4006381333931", zxingcpp.BarcodeFormat.EAN13)
    return np.pad(np.asarray(barcode.to_image(scale=3)), 30, constant_values=255)


def test_a_ready_box_is_the_measured_one_measured_once_per_image():
    gray = ean_13()
    (barcode,) = decoder.read(gray)
    quad = decoder.reported(barcode)
    measured: list[str] = []
    ready = box_share.ReadyBoxes()

    def counted(pixels, corners, *, stacked=False):
        measured.append(ready.image)
        return bar_box.measure(pixels, corners, stacked=stacked)

    ready.measure = counted
    ready.image = "a.png"
    first = ready(gray, quad)
    assert np.array_equal(first, bar_box.measure(gray, quad))
    assert ready(gray.copy(), quad.copy()) is first
    ready.image = "b.png"
    ready(gray, quad)
    assert measured == ["a.png", "b.png"]


def test_tables_for_a_small_synthetic_folder(tmp_path, capsys):
    synth.main([str(tmp_path), "--count", "3", "--seed", "3", "--level", "easy"])
    measure = bar_box.measure
    assert box_share.main([str(tmp_path), "--repeat", "1"]) == 0
    assert bar_box.measure is measure
    out = capsys.readouterr().out
    assert "easy images of 3 from" in out
    for row in ("full", "full, up to its cascade", "full, boxes ready"):
        assert f"| {row} |" in out
    assert "| 1D codes only (" in out and "| 2D codes only (" in out
