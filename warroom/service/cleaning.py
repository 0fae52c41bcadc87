"""Text a person typed, made fit to keep: control sequences out, valid Unicode, a size limit."""

from __future__ import annotations

from warroom.errors import UserError
from warroom.sanitize import strip_controls, valid_unicode

MAX_TEXT = 10_000


def clean_text(text: str, what: str = "text", *, required: bool = True) -> str:
    cleaned = strip_controls(valid_unicode(text)).strip()
    if required and not cleaned:
        raise UserError(f"empty {what}; say what happened")
    if len(cleaned) > MAX_TEXT:
        raise UserError(f"{what} is {len(cleaned)} characters; the limit is {MAX_TEXT}")
    return cleaned
