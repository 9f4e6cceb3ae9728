"""Errors the reading core raises.

The service maps :class:`InvalidImageError` to WeChat's ``101002 invalid image data``;
callers of the library catch this one type for every kind of unreadable input.
"""


class InvalidImageError(ValueError):
    """The bytes are not a supported image: empty, garbage, truncated, unsupported or too large."""
