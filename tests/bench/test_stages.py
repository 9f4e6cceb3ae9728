"""The per-stage benchmark runs end to end on a small synthetic folder and pairs reads
with labels by the corpus's rule."""

import corpus
import stages
import synth


def test_pairs_follow_the_corpus_rule():
    labels = [corpus.Label("UPCA", "0036000291452"), corpus.Label("QRCode", "hello")]
    reads = [corpus.Read("QR_CODE", "hello"), corpus.Read("UPC_A", "036000291452")]
    assert stages.pair(labels, reads) == [(0, 1), (1, 0)]
    assert stages.pair(labels, [corpus.Read("QR_CODE", "other")]) == []


def test_images_of_one_family_are_timed_apart():
    """An EAN-13 with its add-on is 1D; an image with codes of both families is neither."""
    ean, add_on = corpus.Label("EAN13", "4006381333931"), corpus.Label("", "400638133393112")
    qr = corpus.Label("QRCode", "hello")
    assert stages.image_family([ean, add_on]) == "1D"
    assert stages.image_family([qr]) == "2D"
    assert stages.image_family([ean, qr]) == "mixed"


def test_tables_for_a_small_synthetic_folder(tmp_path, capsys):
    synth.main([str(tmp_path), "--count", "2", "--seed", "3", "--level", "easy"])
    assert stages.main([str(tmp_path), "--time-budget", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "2 images from" in out
    for reader in stages.READERS:
        assert f"| {reader} |" in out
    assert "| stage of full |" in out
    assert "| synth-easy |" in out
    assert "| median ms per image |" in out
    assert "| easy images (" in out
    assert "| 1D codes only (" in out and "| 2D codes only (" in out
    assert "| full, up to its cascade |" in out
    assert "median corner error px" in out
