"""Options a request may add beyond the contract (all in the query string).

- ``detail=1``: add the core's extra detail (raw bytes, error-correction level, timings).
- ``budget_ms=N``: the cascade's time budget for this request, capped by the server's.
- ``formats=QR_CODE,EAN_13``: read only these symbologies (contract type_names).

A malformed value answers ``40097 invalid args``, the code WeChat uses for bad arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from imgqrcode.reader.symbology import UnknownSymbologyError, parse_type_names
from imgqrcode.service.errors import ApiError, ErrorCode

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True, slots=True)
class RequestOptions:
    detail: bool
    budget: float
    formats: frozenset[str] | None


def _invalid(detail: str) -> ApiError:
    return ApiError(ErrorCode.INVALID_ARGS, detail)


def parse_request_options(query: Mapping[str, str], max_budget: float) -> RequestOptions:
    detail_text = query.get("detail", "").strip().lower()
    if detail_text not in _TRUE | _FALSE:
        raise _invalid(f"detail={detail_text!r}")
    budget = max_budget
    budget_text = query.get("budget_ms", "").strip()
    if budget_text:
        if not budget_text.isdigit():
            raise _invalid(f"budget_ms={budget_text!r}")
        budget = min(max_budget, int(budget_text) / 1000)
    formats = None
    formats_text = query.get("formats", "").strip()
    if formats_text:
        try:
            formats = parse_type_names(formats_text.split(","))
        except UnknownSymbologyError as exc:
            raise _invalid(str(exc)) from exc
    return RequestOptions(detail=detail_text in _TRUE, budget=budget, formats=formats)
