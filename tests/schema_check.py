"""A small JSON Schema (draft 2020-12) validator for the subset Atlas's schemas use.

Supported keywords: ``type``, ``enum``, ``const``, ``properties``, ``required``,
``additionalProperties`` (a boolean or a schema), ``items``, ``minimum``, ``anyOf``,
``oneOf`` and ``$ref`` to ``#/$defs/NAME``. Annotations (``$schema``, ``$id``, ``title``,
``description``, ``$defs``) are ignored. Any other keyword is an error, so a schema cannot
rely on a rule this checker would silently skip. For the tests only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SchemaError", "check_schema", "errors", "validate"]

ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs", "$comment", "examples"}
KEYWORDS = {
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minimum",
    "anyOf",
    "oneOf",
    "$ref",
}


class SchemaError(Exception):
    """The schema itself uses something this checker does not support."""


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    raise SchemaError(f"unknown type {name!r}")


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    prefix = "#/$defs/"
    if not ref.startswith(prefix):
        raise SchemaError(f"only local $ref to {prefix}NAME is supported, not {ref!r}")
    try:
        target: dict[str, Any] = root["$defs"][ref[len(prefix) :]]
    except KeyError:
        raise SchemaError(f"$ref {ref!r} names no definition") from None
    return target


def _check(value: Any, schema: Any, root: dict[str, Any], where: str, out: list[str]) -> None:
    if schema is True:
        return
    if schema is False:
        out.append(f"{where or '/'}: no value is allowed here")
        return
    if not isinstance(schema, dict):
        raise SchemaError(f"a schema must be an object or a boolean, not {schema!r}")
    unknown = set(schema) - KEYWORDS - ANNOTATIONS
    if unknown:
        raise SchemaError(f"unsupported keywords at {where or '/'}: {sorted(unknown)}")
    here = where or "/"
    if "$ref" in schema:
        _check(value, _resolve(root, schema["$ref"]), root, where, out)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            out.append(f"{here}: {value!r:.60} is not of type {' or '.join(names)}")
            return
    if "const" in schema and value != schema["const"]:
        out.append(f"{here}: {value!r:.60} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{here}: {value!r:.60} is not one of {schema['enum']}")
    if "minimum" in schema and _is_type(value, "number") and value < schema["minimum"]:
        out.append(f"{here}: {value!r} is less than {schema['minimum']}")
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            fits = 0
            for option in schema[keyword]:
                trial: list[str] = []
                _check(value, option, root, where, trial)
                fits += not trial
            if fits == 0 or (keyword == "oneOf" and fits > 1):
                out.append(f"{here}: fits {fits} of the {keyword} schemas")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{here}: required key {name!r} is missing")
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            path = f"{where}/{name}"
            if name in properties:
                _check(item, properties[name], root, path, out)
            elif extra is False:
                out.append(f"{here}: unexpected key {name!r}")
            else:
                _check(item, extra, root, path, out)
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            _check(item, schema["items"], root, f"{where}/{n}", out)


def check_schema(schema: Any, where: str = "") -> None:
    """Raise :class:`SchemaError` if ``schema`` (or any schema inside it) uses a keyword this
    checker does not support, or a ``$ref`` that names no definition."""
    root = schema

    def walk(node: Any, at: str) -> None:
        if isinstance(node, bool):
            return
        if not isinstance(node, dict):
            raise SchemaError(f"{at or '/'}: a schema must be an object or a boolean")
        unknown = set(node) - KEYWORDS - ANNOTATIONS
        if unknown:
            raise SchemaError(f"unsupported keywords at {at or '/'}: {sorted(unknown)}")
        if "$ref" in node:
            _resolve(root, node["$ref"])
        for name, sub in node.get("properties", {}).items():
            walk(sub, f"{at}/properties/{name}")
        for name, sub in node.get("$defs", {}).items():
            walk(sub, f"{at}/$defs/{name}")
        for keyword in ("items", "additionalProperties"):
            if keyword in node:
                walk(node[keyword], f"{at}/{keyword}")
        for keyword in ("anyOf", "oneOf"):
            for n, sub in enumerate(node.get(keyword, [])):
                walk(sub, f"{at}/{keyword}/{n}")

    walk(schema, where)


def errors(value: Any, schema: dict[str, Any]) -> list[str]:
    """Every way ``value`` breaks ``schema`` (empty when it conforms)."""
    out: list[str] = []
    _check(value, schema, schema, "", out)
    return out


def validate(value: Any, schema: dict[str, Any]) -> None:
    """Raise ``AssertionError`` listing the problems if ``value`` breaks ``schema``."""
    problems = errors(value, schema)
    if problems:
        raise AssertionError("does not match the schema:\n  " + "\n  ".join(problems[:20]))
