"""``imgqrcode scan`` end to end, as a user runs it: a subprocess on real files."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from processes import children, running


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


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--jobs", "-1", b"--jobs: must be 0 or more, not -1"),
        ("--time-budget", "-1", b"--time-budget: must be 0 or more, not -1.0"),
        ("--time-budget", "nan", b"--time-budget: not a number of seconds: 'nan'"),
        ("--max-pixels", "0", b"--max-pixels: must be 1 or more, not 0"),
    ],
)
def test_numbers_out_of_range_are_usage_errors(flag, value, message):
    completed = imgqrcode("x.png", flag, value)
    assert completed.returncode == 2
    assert message in completed.stderr and b"Traceback" not in completed.stderr


def test_a_folder_that_cannot_be_listed_is_an_input_that_cannot_be_read(tmp_path):
    write_code(tmp_path / "open" / "a.png", "open")
    locked = tmp_path / "locked"
    write_code(locked / "b.png", "locked")
    locked.chmod(0)
    try:
        # Root lists any folder: drop the capabilities that let it, where it has them.
        capabilities = "-dac_override,-dac_read_search"
        drop = (
            ["setpriv", f"--inh-caps={capabilities}", f"--bounding-set={capabilities}"]
            if os.geteuid() == 0
            else []
        )
        completed = subprocess.run(
            [*drop, sys.executable, "-m", "imgqrcode.cli", "scan", str(tmp_path)],
            capture_output=True,
            timeout=120,
            check=False,
        )
    finally:
        locked.chmod(0o755)
    assert completed.returncode == 2
    records = json_lines(completed)
    assert records[0]["path"] == str(locked)
    assert records[0]["error"] == "cannot list folder: Permission denied"
    assert records[1]["code_results"][0]["data"] == "open"


def test_a_file_name_that_is_not_utf8_comes_back_as_its_bytes(tmp_path):
    name = os.fsencode(tmp_path) + b"/caf\xe9.png"  # Latin-1, as from an old share
    write_code(Path(os.fsdecode(name)), "bytes")
    completed = imgqrcode(str(tmp_path), env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    assert completed.returncode == 0
    (record,) = json_lines(completed)  # UTF-8 whatever the locale
    assert os.fsencode(record["path"]) == name
    assert record["code_results"][0]["data"] == "bytes"


def test_a_bad_environment_value_is_a_usage_error_of_the_command_that_reads_it(tmp_path):
    jobs = imgqrcode(str(tmp_path), env={"IMGQRCODE_JOBS": "all"})
    assert jobs.returncode == 2 and b"--jobs: not a whole number: 'all'" in jobs.stderr
    text = imgqrcode(str(tmp_path), env={"IMGQRCODE_TEXT": "maybe"})
    assert text.returncode == 2 and b"--text: not a boolean: 'maybe'" in text.stderr
    other = subprocess.run(
        [sys.executable, "-m", "imgqrcode.cli", "app", "list", "--help"],
        capture_output=True,
        env={**os.environ, "IMGQRCODE_JOBS": "all", "IMGQRCODE_TEXT": "maybe"},
        timeout=60,
        check=False,
    )
    assert other.returncode == 0 and other.stderr == b""


def test_a_reader_that_goes_away_early_gets_no_traceback(tmp_path):
    for i in range(30):
        write_code(tmp_path / f"{i:02}.png", f"line {i}")
    process = subprocess.Popen(
        [sys.executable, "-m", "imgqrcode.cli", "scan", str(tmp_path), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert json.loads(process.stdout.readline())["path"].endswith("00.png")
    process.stdout.close()  # as `| head -1` does
    _, stderr = process.communicate(timeout=120)
    assert b"Traceback" not in stderr and b"BrokenPipeError" not in stderr


def slow_scan(folder: Path) -> tuple[subprocess.Popen[bytes], bytes]:
    """``scan --jobs 2`` over 12 images of noise, which open the cascade's gate (each
    takes its whole time budget), started in a session of its own (as a terminal's
    foreground job is a group of its own), and its first line once written."""
    rng = np.random.default_rng(7)
    for i in range(12):
        noise = rng.integers(0, 256, (900, 1200), dtype=np.uint8)
        Image.fromarray(noise).save(folder / f"{i:02}.jpg", quality=90)
    process = subprocess.Popen(
        [sys.executable, "-m", "imgqrcode.cli", "scan", str(folder), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    return process, process.stdout.readline()


def test_workers_end_with_a_scan_killed_before_it_could_end_them(tmp_path):
    """SIGKILL, or a second signal while the parent shuts its workers down: the workers
    ignore the usual signals, so the kernel ends them with their parent."""
    process, _ = slow_scan(tmp_path)
    workers = children(process.pid)
    assert workers
    process.kill()
    process.communicate(timeout=60)  # the workers held the output pipe open too
    deadline = time.monotonic() + 10
    while any(running(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(worker) for worker in workers)


@pytest.mark.parametrize(
    ("stopping", "status", "group"),
    [
        (signal.SIGINT, 130, True),  # Ctrl-C: the terminal signals the whole group
        (signal.SIGTERM, 143, False),  # kill, timeout: the parent alone
        (signal.SIGTERM, 143, True),  # a service manager: every process of the unit
    ],
)
def test_a_stopped_scan_ends_quietly_and_leaves_no_worker_behind(tmp_path, stopping, status, group):
    process, first = slow_scan(tmp_path)
    workers = children(process.pid)
    assert workers
    if group:
        os.killpg(process.pid, stopping)
    else:
        process.send_signal(stopping)
    rest, stderr = process.communicate(timeout=60)
    assert process.returncode == status
    assert b"Traceback" not in stderr and b"KeyboardInterrupt" not in stderr
    lines = (first + rest).decode("utf-8").splitlines()
    assert all(json.loads(line)["code_results"] == [] for line in lines)
    assert len(lines) < 12
    deadline = time.monotonic() + 10
    while any(running(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(worker) for worker in workers)
