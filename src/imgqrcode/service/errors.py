"""The WeChat error codes this service answers with, as one exception type.

Handlers raise :class:`ApiError`; the request layer turns it into WeChat's error body
(HTTP 200, exactly ``errcode`` and ``errmsg``, the message ending in the request id).
The ``detail`` of an error goes to the server's log only: a client sees the contract's
fixed message, never an internal reason.
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(Enum):
    """(errcode, errmsg) pairs; the contract's table plus the token endpoints' codes."""

    SYSTEM_ERROR = (-1, "system error")
    INVALID_CREDENTIAL = (40001, "invalid credential, access_token is invalid or not latest")
    INVALID_GRANT_TYPE = (40002, "invalid grant_type")
    INVALID_IMAGE_SIZE = (40009, "invalid image size")
    INVALID_APPID = (40013, "invalid appid")
    INVALID_URL = (40066, "invalid url")
    INVALID_ARGS = (40097, "invalid args")
    INVALID_APPSECRET = (40125, "invalid appsecret")
    ACCESS_TOKEN_MISSING = (41001, "access_token missing")
    APPID_MISSING = (41002, "appid missing")
    APPSECRET_MISSING = (41004, "appsecret missing")
    MEDIA_DATA_MISSING = (41005, "media data missing")
    ACCESS_TOKEN_EXPIRED = (42001, "access_token expired")
    DAILY_QUOTA = (45009, "reach max api daily quota limit")
    MINUTE_QUOTA = (45011, "api minute-quota reach limit must slower retry next minute")
    DATA_FORMAT_ERROR = (47001, "data format error")
    INVALID_IMAGE_URL = (101000, "invalid image url")
    INVALID_IMAGE_DATA = (101002, "invalid image data")

    @property
    def errcode(self) -> int:
        return self.value[0]

    @property
    def errmsg(self) -> str:
        return self.value[1]


class ApiError(Exception):
    """A request answered with a WeChat error code; ``detail`` is for the log only."""

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        super().__init__(f"{code.errcode} {code.errmsg}" + (f": {detail}" if detail else ""))
        self.code = code
        self.detail = detail
