"""Assertions of the contract's response shapes, key by key."""

from __future__ import annotations

import re

import httpx

RID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")
CORNERS = ("left_top", "right_top", "right_bottom", "left_bottom")


def assert_json_response(response: httpx.Response) -> dict:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert RID.match(response.headers["x-request-id"])
    body = response.json()
    assert isinstance(body, dict)
    return body


def assert_error(response: httpx.Response, errcode: int, errmsg: str) -> None:
    """Exactly {"errcode", "errmsg"}, the message ending in the rid of the header."""
    body = assert_json_response(response)
    assert list(body) == ["errcode", "errmsg"], body
    assert body["errcode"] == errcode, body
    rid = response.headers["x-request-id"]
    assert body["errmsg"] == f"{errmsg} rid: {rid}", body


def assert_success(response: httpx.Response, size: tuple[int, int]) -> list[dict]:
    """The success body with nothing else in it; returns its code_results."""
    body = assert_json_response(response)
    assert list(body) == ["errcode", "errmsg", "code_results", "img_size"], body
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    assert body["img_size"] == {"w": size[0], "h": size[1]}
    assert list(body["img_size"]) == ["w", "h"]
    for code in body["code_results"]:
        assert list(code) == ["type_name", "data", "pos"]
        assert isinstance(code["type_name"], str) and isinstance(code["data"], str)
        assert list(code["pos"]) == list(CORNERS)
        for corner in CORNERS:
            point = code["pos"][corner]
            assert list(point) == ["x", "y"]
            assert all(type(value) is int for value in point.values())
    return body["code_results"]


def assert_square_at(pos: dict, left: int, top: int, side: int, tolerance: int = 3) -> None:
    expected = {
        "left_top": (left, top),
        "right_top": (left + side, top),
        "right_bottom": (left + side, top + side),
        "left_bottom": (left, top + side),
    }
    for corner, (x, y) in expected.items():
        assert abs(pos[corner]["x"] - x) <= tolerance, (corner, pos)
        assert abs(pos[corner]["y"] - y) <= tolerance, (corner, pos)
