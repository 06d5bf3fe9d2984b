"""A request's form values checked against its type's fields, on the server: the form a
browser shows is a convenience, this is the rule."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from xietong.core.errors import Invalid
from xietong.core.ids import MAX_ID
from xietong.core.text import refuse_bidi_controls
from xietong.core.uow import UnitOfWork
from xietong.files import queries as file_queries
from xietong.org import queries as org_queries
from xietong.requests.schemas import FieldSpec, FieldType

TEXT_LIMITS = {FieldType.TEXT: 500, FieldType.LONG_TEXT: 20_000}
_MONEY = re.compile(r"^\d{1,13}(\.\d{1,2})?$")
_REFERENCES = {FieldType.PERSON, FieldType.DEPARTMENT, FieldType.FILE}


def _problem(key: str, message: str, code: str = "invalid_value") -> Invalid:
    return Invalid(f"Field {key!r}: {message}", code=code, details={"field": key})


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _id(key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
        raise _problem(key, "must be an id (a whole number).")
    return value


def _one_value(spec: FieldSpec, value: Any) -> Any:
    """The stored form of one filled-in value, or `Invalid`."""
    key = spec.key
    match spec.type:
        case FieldType.TEXT | FieldType.LONG_TEXT:
            if not isinstance(value, str):
                raise _problem(key, "must be text.")
            text = value.strip()
            if len(text) > TEXT_LIMITS[spec.type]:
                raise _problem(key, f"must be at most {TEXT_LIMITS[spec.type]} characters.")
            try:
                refuse_bidi_controls(text)
            except ValueError:
                raise _problem(key, "must not contain bidirectional control characters.") \
                    from None
            return text
        case FieldType.NUMBER:
            if (not isinstance(value, int | float) or isinstance(value, bool)
                    or not math.isfinite(value) or abs(value) > 1e15):
                raise _problem(key, "must be a number.")
            return value
        case FieldType.MONEY:
            # Amounts as decimal text ("12500.50"), so no float rounds a budget; a JSON
            # number is taken when it has at most two decimals.
            text = str(value) if isinstance(value, int | float) and not isinstance(value, bool) \
                else value
            if not isinstance(text, str) or not _MONEY.match(text.strip()):
                raise _problem(key, "must be an amount of money: digits, at most two decimals.")
            try:
                return str(Decimal(text.strip()).quantize(Decimal("0.01")))
            except InvalidOperation:
                raise _problem(key, "must be an amount of money.") from None
        case FieldType.DATE:
            if isinstance(value, str) and len(value) == 10:
                try:
                    return date.fromisoformat(value).isoformat()
                except ValueError:
                    pass
            raise _problem(key, "must be a date, YYYY-MM-DD.")
        case FieldType.SELECT:
            if value not in (spec.options or []):
                raise _problem(key, "must be one of its options.")
            return value
        case FieldType.PERSON | FieldType.DEPARTMENT:
            return _id(key, value)
        case FieldType.FILE:
            items = value if isinstance(value, list) else [value]
            if len(items) > 20:
                raise _problem(key, "may carry at most 20 files.")
            return sorted({_id(key, item) for item in items})


async def check_values(uow: UnitOfWork, fields: Sequence[FieldSpec],
                       values: Mapping[str, Any], requester_id: int) -> dict[str, Any]:
    """The values to store: each field's value checked against its type, required ones
    present, no key the form does not have; people and departments must exist (people
    active), files must be the requester's own uploads."""
    specs = {spec.key: spec for spec in fields}
    unknown = sorted(set(values) - set(specs))
    if unknown:
        raise Invalid(f"The form has no field {unknown[0]!r}.", code="unknown_field",
                      details={"field": unknown[0]})
    checked: dict[str, Any] = {}
    for spec in fields:
        value = values.get(spec.key)
        if _is_empty(value):
            if spec.required:
                raise _problem(spec.key, "is required.", code="required_field")
            continue
        checked[spec.key] = _one_value(spec, value)
    await _check_references(uow, specs, checked, requester_id)
    return checked


async def _check_references(uow: UnitOfWork, specs: Mapping[str, FieldSpec],
                            checked: Mapping[str, Any], requester_id: int) -> None:
    """One query per kind of reference, for the whole form."""
    wanted: dict[FieldType, set[int]] = {kind: set() for kind in _REFERENCES}
    for key, value in checked.items():
        kind = specs[key].type
        if kind in _REFERENCES:
            wanted[kind] |= set(value) if isinstance(value, list) else {value}
    found = {
        FieldType.PERSON: await org_queries.active_user_ids(uow, wanted[FieldType.PERSON]),
        FieldType.DEPARTMENT: await org_queries.department_exists(
            uow, wanted[FieldType.DEPARTMENT]),
        FieldType.FILE: await file_queries.attachable_file_ids(uow, requester_id,
                                                              wanted[FieldType.FILE]),
    }
    for key, value in checked.items():
        kind = specs[key].type
        if kind in _REFERENCES:
            missing = (set(value) if isinstance(value, list) else {value}) - found[kind]
            if missing:
                raise _problem(key, f"no such {kind.value}: {min(missing)}.",
                               code="unknown_reference")


def files_of(fields: Sequence[FieldSpec], values: Mapping[str, Any]) -> set[int]:
    return {file_id for spec in fields if spec.type is FieldType.FILE
            for file_id in values.get(spec.key, [])}
