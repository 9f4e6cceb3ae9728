"""The OpenAPI 3.1 document of the endpoints this service really has.

Written out rather than generated: the WeChat shapes (errors as HTTP 200 bodies, one
endpoint taking five body shapes) are the point of the service and read best spelled
out. ``tests/service/test_operations.py`` checks that every path here is served.
"""

from __future__ import annotations

from typing import Any

from imgqrcode.service.config import ServiceConfig
from imgqrcode.service.errors import ErrorCode


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": {"type": "string"},
        "description": description,
    }


_POINT = {
    "type": "object",
    "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
    "required": ["x", "y"],
}
_CORNERS = ("left_top", "right_top", "right_bottom", "left_bottom")

_SCHEMAS: dict[str, Any] = {
    "Point": _POINT,
    "Position": {
        "type": "object",
        "properties": {corner: _ref("Point") for corner in _CORNERS},
        "required": list(_CORNERS),
    },
    "CodeResult": {
        "type": "object",
        "properties": {
            "type_name": {"type": "string", "examples": ["QR_CODE", "EAN_13"]},
            "data": {"type": "string"},
            "pos": _ref("Position"),
        },
        "required": ["type_name", "data", "pos"],
    },
    "ScanResponse": {
        "type": "object",
        "properties": {
            "errcode": {"type": "integer", "const": 0},
            "errmsg": {"type": "string", "const": "ok"},
            "code_results": {"type": "array", "items": _ref("CodeResult")},
            "img_size": {
                "type": "object",
                "properties": {"w": {"type": "integer"}, "h": {"type": "integer"}},
                "required": ["w", "h"],
            },
        },
        "required": ["errcode", "errmsg", "code_results", "img_size"],
    },
    "Error": {
        "type": "object",
        "description": "Every error, with HTTP status 200. errmsg ends in ' rid: <request id>'.",
        "properties": {
            "errcode": {
                "type": "integer",
                "enum": sorted(code.errcode for code in ErrorCode),
            },
            "errmsg": {"type": "string"},
        },
        "required": ["errcode", "errmsg"],
        "additionalProperties": False,
    },
    "AccessToken": {
        "type": "object",
        "properties": {"access_token": {"type": "string"}, "expires_in": {"type": "integer"}},
        "required": ["access_token", "expires_in"],
    },
}


def _scan_operation(method: str, config: ServiceConfig) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": f"imgQrcode_{method}",
        "summary": "Read every QR code and barcode in an image (WeChat imgQrcode)",
        "parameters": [
            _query("access_token", "Token from /cgi-bin/token or /cgi-bin/stable_token"),
            _query("img_url", "http(s) URL of the image, fetched by the server"),
            _query("detail", "1 to add detail keys (raw bytes, EC level, timings)"),
            _query("budget_ms", "Time budget for the hard-image stages, capped by the server"),
            _query("formats", "Comma-separated type_names to read, e.g. QR_CODE,EAN_13"),
        ],
        "responses": {
            "200": _json({"oneOf": [_ref("ScanResponse"), _ref("Error")]}, "Result or error")
        },
    }
    if method == "post":
        limit = f"at most {config.max_image_bytes} bytes"
        binary = {"type": "string", "format": "binary"}
        operation["requestBody"] = {
            "required": False,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"img": binary},
                        "description": f"The first file part, whatever its name; {limit}",
                    }
                },
                "image/*": {"schema": binary},
                "application/octet-stream": {"schema": binary},
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {"img_url": {"type": "string"}}}
                },
                "application/json": {
                    "schema": {"type": "object", "properties": {"img_url": {"type": "string"}}}
                },
            },
        }
    return operation


def _token_operation(operation_id: str, response: dict[str, Any]) -> dict[str, Any]:
    """``/cgi-bin/token``: a GET, as WeChat documents it, or a POST with the same query,
    as some SDKs send it."""
    return {
        "operationId": operation_id,
        "parameters": [
            _query("grant_type", "client_credential", required=True),
            _query("appid", "The app's id", required=True),
            _query("secret", "The app's secret", required=True),
        ],
        "responses": {"200": response},
    }


def openapi_document(config: ServiceConfig, version: str) -> dict[str, Any]:
    token_or_error = _json({"oneOf": [_ref("AccessToken"), _ref("Error")]}, "Token or error")
    plain = {"200": {"description": "OK"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "imgqrcode: WeChat imgQrcode-compatible API",
            "version": version,
        },
        "paths": {
            "/cv/img/qrcode": {
                "get": _scan_operation("get", config),
                "post": _scan_operation("post", config),
            },
            "/cgi-bin/token": {
                "get": _token_operation("token", token_or_error),
                "post": _token_operation("token_post", token_or_error),
            },
            "/cgi-bin/stable_token": {
                "post": {
                    "operationId": "stable_token",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "grant_type": {"type": "string"},
                                        "appid": {"type": "string"},
                                        "secret": {"type": "string"},
                                        "force_refresh": {"type": "boolean"},
                                    },
                                    "required": ["grant_type", "appid", "secret"],
                                }
                            }
                        },
                    },
                    "responses": {"200": token_or_error},
                }
            },
            "/healthz": {"get": {"operationId": "healthz", "responses": plain}},
            "/metrics": {"get": {"operationId": "metrics", "responses": plain}},
            "/info": {"get": {"operationId": "info", "responses": plain}},
            "/openapi.json": {"get": {"operationId": "openapi", "responses": plain}},
        },
        "components": {"schemas": _SCHEMAS},
    }
