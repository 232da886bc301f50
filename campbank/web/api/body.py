"""Reading a request body: at most `MAX_BODY` bytes of UTF-8 JSON, read exactly and checked as text.

Numbers with a fraction stay as their written text ("12.50"), so money is never a float; an integer
longer than Python allows, nesting deeper than the parser allows, a key given twice, and control
characters or escape sequences in any text are refused with the place named. Nothing reaches the ledger
until the whole body has passed.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from campbank.core.errors import InputError
from campbank.web.api.errors import TooLarge

MAX_BODY = 64 * 1024
MAX_DEPTH = 32
ALLOWED_CONTROLS = frozenset("\n\t")  # multi-line text (a description) may hold newlines and tabs
Model = TypeVar("Model", bound=BaseModel)


async def read_json(request: Request, *, empty: object = ...) -> Any:
    """The body as JSON; `empty` (when given) is what an absent body means."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge(f"is larger than {MAX_BODY // 1024} KiB", field="body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge(f"is larger than {MAX_BODY // 1024} KiB", field="body")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        if empty is not ...:
            return empty
        raise InputError("is empty; send a JSON object", field="body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", field="body") from None
    value = parse_json(text)
    check_text(value, "")
    return value


def parse_json(text: str) -> Any:
    try:
        value = json.loads(text, parse_float=str, parse_constant=_no_constant, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise InputError(f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                         field="body") from None
    except RecursionError:
        raise InputError("is nested too deeply", field="body") from None
    except ValueError as error:  # an integer with more digits than Python converts
        raise InputError(f"holds a number that is far too long ({error})", field="body") from None
    if _depth(value) > MAX_DEPTH:
        raise InputError(f"is nested more than {MAX_DEPTH} levels deep", field="body")
    return value


def validate(model: type[Model], value: object) -> Model:
    """Check a body against a model (exact types, no unknown fields), naming the first field at fault."""
    if not isinstance(value, Mapping):
        raise InputError("must be a JSON object", field="body")
    try:
        return model.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        place = _place(value, first["loc"]) or "body"
        message = "is not a field here" if first["type"] == "extra_forbidden" else first["msg"]
        if first["type"] == "missing":
            message = "is required"
        raise InputError(message, field=place) from None


def _place(value: object, location: tuple[int | str, ...]) -> str:
    """The dotted field of an error, as far as it names parts of the body (pydantic adds the names of
    a union's member types, such as `amount.str`, which are not fields)."""
    parts: list[str] = []
    for part in location:
        inside_object = isinstance(value, Mapping) and part in value
        inside_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if inside_object or inside_list:
            value = value[part]  # type: ignore[index]
        elif parts or not isinstance(part, str):
            break
        parts.append(str(part))
    return ".".join(parts)


def check_text(value: object, where: str) -> None:
    """Refuse text a person could not have typed: control characters, escape sequences, lone surrogates."""
    if isinstance(value, str):
        _check_string(value, where or "body")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            _check_string(str(key), place)
            check_text(item, place)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{where}[{index}]" if where else f"[{index}]")


def _check_string(text: str, where: str) -> None:
    for char in text:
        if char in ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            raise InputError(f"contains a control character ({ord(char):#04x}); escape sequences are refused",
                             field=where)
        if category == "Cs":
            raise InputError("contains characters that are not valid text", field=where)


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise InputError("appears twice in one object; each key may appear once", field=key)
        seen[key] = value
    return seen


def _no_constant(name: str) -> object:
    raise InputError(f"{name} is not a number JSON allows", field="body")


def _depth(value: object, level: int = 1) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, Mapping):
        return max((_depth(item, level + 1) for item in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level)
    return level
