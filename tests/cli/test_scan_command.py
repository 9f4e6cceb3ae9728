"""``imgqrcode scan`` end to end, as a user runs it: a subprocess on real files."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image


def write_code(path: Path, content: str, fmt: str = "QRCode") -> Path:
    barcode = zxingcpp.create_barcode(content, getattr(zxingcpp.BarcodeFormat, fmt))
    pixels = np.pad(np.asarray(barcode.to_image(scale=4)), 20, constant_values=255)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def write_blank(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (120, 80), 255).save(path)
    return path


def imgqrcode(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IMGQRCODE_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "imgqrcode.cli", "scan", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env=environment,
        check=False,
    )


def json_lines(completed) -> list[dict]:
    return [json.loads(line) for line in completed.stdout.decode("utf-8").splitlines()]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_code(tmp_path / "b" / "second.png", "second")
    write_code(tmp_path / "a" / "deep" / "first.jpg", "第一")
    write_code(tmp_path / "c.webp", "third", "DataMatrix")
    write_blank(tmp_path / "d_blank.bmp")
    (tmp_path / "notes.txt").write_text("not an image, and not an image extension")
    return tmp_path


def test_one_file_prints_the_contract_body_with_its_path(tmp_path):
    path = write_code(tmp_path / "one.png", "https://www.qq.com")
    completed = imgqrcode(str(path))
    assert completed.returncode == 0, completed.stderr
    (record,) = json_lines(completed)
    assert record["path"] == str(path)
    assert record["errcode"] == 0 and record["errmsg"] == "ok"
    assert [(c["type_name"], c["data"]) for c in record["code_results"]] == [
        ("QR_CODE", "https://www.qq.com")
    ]
    assert set(record["code_results"][0]["pos"]) == {
        "left_top",
        "right_top",
        "right_bottom",
        "left_bottom",
    }


def test_folders_are_searched_recursively_in_path_order(folder):
    completed = imgqrcode(str(folder), "--jobs", "2")
    assert completed.returncode == 0, completed.stderr
    records = json_lines(completed)
    assert [Path(r["path"]).name for r in records] == [
        "first.jpg",
        "second.png",
        "c.webp",
        "d_blank.bmp",
    ]
    assert [[c["data"] for c in r["code_results"]] for r in records] == [
        ["第一"],
        ["second"],
        ["third"],
        [],
    ]
    assert "第一" in completed.stdout.decode("utf-8")  # not \u-escaped


def test_jobs_keep_the_input_order(tmp_path):
    paths = [str(write_code(tmp_path / f"{i:02}.png", f"code {i}")) for i in range(12)]
    order = list(reversed(paths))
    completed = imgqrcode(*order, "--jobs", "3")
    assert [r["path"] for r in json_lines(completed)] == order
    serial = imgqrcode(*order, "--jobs", "1")
    assert serial.stdout == completed.stdout


def test_stdin_and_text_output(tmp_path):
    path = write_code(tmp_path / "in.png", "line one\nline two")
    completed = imgqrcode("-", "--text", stdin=path.read_bytes())
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.decode("utf-8") == "line one\\nline two\n"
    both = imgqrcode("-", str(path), "--text", stdin=path.read_bytes())
    assert both.stdout.decode("utf-8").splitlines() == [
        "-: line one\\nline two",
        f"{path}: line one\\nline two",
    ]


def test_exit_status_when_nothing_is_found(tmp_path):
    completed = imgqrcode(str(write_blank(tmp_path / "blank.png")))
    assert completed.returncode == 1
    assert json_lines(completed)[0]["code_results"] == []


def test_exit_status_and_error_line_for_unreadable_input(tmp_path):
    good = write_code(tmp_path / "good.png", "good")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    completed = imgqrcode(str(good), str(bad), str(tmp_path / "missing.png"))
    assert completed.returncode == 2
    records = json_lines(completed)
    assert records[0]["code_results"][0]["data"] == "good"
    assert set(records[1]) == {"path", "error"} and set(records[2]) == {"path", "error"}
    text = imgqrcode(str(bad), "--text")
    assert text.returncode == 2 and text.stdout == b"" and b"bad.png" in text.stderr


def test_formats_option_and_its_environment_variable(folder):
    only_matrix = imgqrcode(str(folder), "--formats", "data_matrix", "--text")
    assert only_matrix.stdout.decode("utf-8").splitlines() == [f"{folder / 'c.webp'}: third"]
    from_env = imgqrcode(str(folder), "--text", env={"IMGQRCODE_FORMATS": "DATA_MATRIX"})
    assert from_env.stdout == only_matrix.stdout
    unknown = imgqrcode(str(folder), "--formats", "NOPE")
    assert unknown.returncode == 2 and b"unknown symbology NOPE" in unknown.stderr


def test_max_pixels_and_detail(tmp_path):
    path = write_code(tmp_path / "code.png", "detail")
    refused = imgqrcode(str(path), "--max-pixels", "100")
    assert refused.returncode == 2 and "too large" in json_lines(refused)[0]["error"]
    detailed = json_lines(imgqrcode(str(path), "--detail", "--time-budget", "0"))[0]
    assert detailed["code_results"][0]["detail"]["raw_base64"] == "ZGV0YWls"
    assert "fast" in detailed["timings_ms"]


def test_usage_errors_exit_with_two():
    assert imgqrcode().returncode == 2
    assert imgqrcode("x.png", "--jobs", "many").returncode == 2


def test_progress_bar_on_a_terminal_only(tmp_path):
    for i in range(20):
        write_code(tmp_path / f"{i:02}.png", f"progress {i}")
    leader, follower = pty.openpty()
    # A terminal 80 columns wide (a fresh pseudo-terminal has none: no room for a bar).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "imgqrcode.cli", "scan", str(tmp_path), "--jobs", "2"],
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=120,
            check=False,
        )
        os.close(follower)
        terminal = b""
        while chunk := _read_available(leader):
            terminal += chunk
    finally:
        os.close(leader)
    assert completed.returncode == 0
    assert len(json_lines(completed)) == 20  # standard output holds only the results
    assert b"20/20" in terminal
    piped = imgqrcode(str(tmp_path))
    assert b"20/20" not in piped.stderr


def _read_available(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal is closed once everything has been read
        return b""


def test_a_negative_number_of_jobs_is_refused():
    completed = imgqrcode("x.png", "--jobs", "-1")
    assert completed.returncode == 2
    assert b"--jobs must be 0 or more" in completed.stderr
