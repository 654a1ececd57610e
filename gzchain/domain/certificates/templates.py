"""Certificate templates: which fields a record has, how each is checked, and where it goes in the document.

A template is data (gzchain/data/cert-template-*.json, or any JSON file of the same shape):

    {"id": "graduation-certificate", "title": "...", "file_name_field": "certificate_number",
     "fields": {"student_name": {"type": "string"}, "graduation_date": {"type": "date"}, ...},
     "document": {"recipient": {"name": "{student_name}"}, "graduationDate": "{graduation_date}", ...}}

A string in `document` that is exactly `{field}` is replaced by the record's value; an optional field left
empty removes its key. Field types: `string`, `date` (YYYY-MM-DD) and `uscc`; a field may be optional
(`"required": false`) and may carry `pattern`, `choices`, `max_length` and `not_before` (another date field).
The issuing agency (`issuers`) and the chain (`network`) are added at issuance, never by the template.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import JsonObject
from gzchain.domain.oa.shape import DocumentShape, Slot, compile_shape
from gzchain.domain.uscc import validate_uscc

FIELD_TYPES: Final = ("string", "date", "uscc")
DEFAULT_MAX_LENGTH: Final = 200
RESERVED_KEYS: Final = ("issuers", "network")
CHAIN_NAME: Final = "GZCHAIN"

PLACEHOLDER: Final = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILE_NAME_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]")
_MISSING: Final = object()


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str = "string"
    required: bool = True
    pattern: re.Pattern[str] | None = None
    choices: tuple[str, ...] = ()
    max_length: int = DEFAULT_MAX_LENGTH
    not_before: str | None = None
    description: str = ""

    def check(self, raw: Any) -> Any:
        """The field's value from what a record gave; `_MISSING` for an empty optional one.

        Raises InvalidInput (without a field: the caller knows the row) saying what is wrong.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise InvalidInput("is required")
            return _MISSING
        if not isinstance(raw, str):
            raise InvalidInput(f"must be text, got {type(raw).__name__} {raw!r}")
        value = raw.strip()
        if not value.isascii() and not _encodable(value):
            raise InvalidInput("holds a lone UTF-16 surrogate (\\ud800-\\udfff escape), which is not text")
        if len(value) > self.max_length:
            raise InvalidInput(f"at most {self.max_length} characters, got {len(value)}")
        if self.type == "date":
            _check_date(value)
        elif self.type == "uscc":
            try:
                value = validate_uscc(value)
            except InvalidInput as exc:
                raise InvalidInput(f"not a valid USCC: {exc.reason}") from None
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise InvalidInput(f"{value!r} does not match {self.pattern.pattern}")
        if self.choices and value not in self.choices:
            raise InvalidInput(f"{value!r} is not one of: {'; '.join(self.choices)}")
        return value


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    description: str
    file_name_field: str
    fields: Mapping[str, FieldSpec]
    document: JsonObject

    def document_for(self, values: Mapping[str, Any]) -> tuple[JsonObject, str]:
        """The document data for one record and the name its wrapped file gets.

        Raises InvalidInput whose field is the record's field at fault.
        """
        checked = self.check(values)
        return _fill(self.document, checked), self.file_name_for(checked)

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Each field's value from one record, checked, in the template's order; empty optional ones left out.

        Raises InvalidInput whose field is the record's field at fault.
        """
        unknown = values.keys() - self.fields.keys()
        if unknown:
            raise InvalidInput(
                f"unknown field; this template has {', '.join(self.fields)}", field=sorted(unknown)[0]
            )
        checked: dict[str, str] = {}
        for name, spec in self.fields.items():
            try:
                value = spec.check(values.get(name))
            except InvalidInput as exc:
                raise InvalidInput(exc.reason, field=name) from None
            if value is not _MISSING:
                checked[name] = value
        for name, spec in self.fields.items():
            earlier = checked.get(spec.not_before) if spec.not_before else None
            if earlier is not None and name in checked and checked[name] < earlier:
                raise InvalidInput(f"{checked[name]} is before {spec.not_before} {earlier}", field=name)
        return checked

    def file_name_for(self, checked: Mapping[str, str]) -> str:
        """The name of the wrapped file for a record's checked values."""
        return file_name(checked[self.file_name_field])


class DocumentWrapper:
    """Wraps the documents of one template for one issuer and chain from records' checked values.

    All documents with the same optional fields filled share a shape (gzchain.domain.oa.shape), compiled
    on first use, so a batch's documents are wrapped from their values alone.
    """

    def __init__(self, template: Template, issuer: JsonObject, chain_id: int) -> None:
        self.template = template
        self.issuer = issuer
        self.chain_id = chain_id
        self._shapes: dict[tuple[str, ...], DocumentShape] = {}

    def wrap(self, checked: Mapping[str, str]) -> tuple[str, bytes]:
        """The compact JSON, without its signature, and the targetHash of the document wrapped from
        `checked` (as Template.check returns it): the document wrap_document makes of
        `with_issuer(document_for(...))`."""
        filled = tuple(checked)
        shape = self._shapes.get(filled) or self._compile(filled)
        return shape.wrap(list(checked.values()))

    def _compile(self, filled: tuple[str, ...]) -> DocumentShape:
        slots = {name: Slot(index) for index, name in enumerate(filled)}
        data = with_issuer(_fill(self.template.document, slots), self.issuer, self.chain_id)
        shape = self._shapes[filled] = compile_shape(data)
        return shape


def template_from_dict(raw: Any, source: str) -> Template:
    """A Template from its JSON form; InvalidInput names what is wrong (its field prefixed by `source`)."""
    if not isinstance(raw, dict):
        raise InvalidInput("a template must be a JSON object", field=source)
    for key in ("id", "title", "file_name_field"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InvalidInput("a non-empty string is required", field=f"{source}: {key}")
    if not isinstance(raw.get("fields"), dict) or not raw["fields"]:
        raise InvalidInput("must map field names to their specs", field=f"{source}: fields")
    fields = {name: _field_spec(name, spec, source) for name, spec in raw["fields"].items()}
    document = raw.get("document")
    if not isinstance(document, dict) or not document:
        raise InvalidInput(
            "must be the document's data with {field} placeholders", field=f"{source}: document"
        )
    for key in RESERVED_KEYS:
        if key in document:
            raise InvalidInput(
                f"{key!r} is added at issuance, not by a template", field=f"{source}: document"
            )
    used = set(_placeholders(document))
    undefined = sorted(used - set(fields))
    if undefined:
        raise InvalidInput(f"placeholder {{{undefined[0]}}} names no field", field=f"{source}: document")
    unplaced = sorted(set(fields) - used)
    if unplaced:
        raise InvalidInput(
            "this field is never placed in the document", field=f"{source}: fields.{unplaced[0]}"
        )
    file_field = fields.get(raw["file_name_field"])
    if file_field is None or not file_field.required:
        raise InvalidInput("must name a required field", field=f"{source}: file_name_field")
    for spec in fields.values():
        if spec.not_before is not None and fields.get(spec.not_before, FieldSpec("")).type != "date":
            raise InvalidInput("must name a date field", field=f"{source}: fields.{spec.name}.not_before")
    return Template(
        id=raw["id"],
        title=raw["title"],
        description=str(raw.get("description", "")),
        file_name_field=raw["file_name_field"],
        fields=fields,
        document=document,
    )


def issuer_entry(name: str, document_store: str, domain: str) -> JsonObject:
    """An OA v2 issuer anchored in a document store, whose identity is its domain in the consortium."""
    return {
        "name": name,
        "documentStore": document_store,
        "identityProof": {"type": "DNS-TXT", "location": domain},
    }


def with_issuer(data: JsonObject, issuer: JsonObject, chain_id: int) -> JsonObject:
    """`data` with its issuer and the chain it is anchored on, which verifiers check against their own."""
    return {**data, "issuers": [issuer], "network": {"chain": CHAIN_NAME, "chainId": str(chain_id)}}


def file_name(value: str) -> str:
    """A file name for a document from its number: unsafe characters become `_`."""
    return _FILE_NAME_UNSAFE.sub("_", value).lstrip(".") + ".json"


def _field_spec(name: Any, spec: Any, source: str) -> FieldSpec:
    where = f"{source}: fields.{name}"
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise InvalidInput("field names are lower_snake_case", field=where)
    if not isinstance(spec, dict):
        raise InvalidInput("must be an object", field=where)
    kind = spec.get("type", "string")
    if kind not in FIELD_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(FIELD_TYPES)}", field=f"{where}.type")
    pattern = spec.get("pattern")
    try:
        compiled = re.compile(pattern) if pattern is not None else None
    except (re.error, TypeError) as exc:
        raise InvalidInput(f"not a regular expression: {exc}", field=f"{where}.pattern") from None
    choices = spec.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(choice, str) for choice in choices):
        raise InvalidInput("must be a list of strings", field=f"{where}.choices")
    max_length = spec.get("max_length", DEFAULT_MAX_LENGTH)
    if not isinstance(max_length, int) or max_length < 1:
        raise InvalidInput("must be a positive integer", field=f"{where}.max_length")
    return FieldSpec(
        name=name,
        type=kind,
        required=bool(spec.get("required", True)),
        pattern=compiled,
        choices=tuple(choices),
        max_length=max_length,
        not_before=spec.get("not_before"),
        description=str(spec.get("description", "")),
    )


def _check_date(value: str) -> None:
    if not _DATE.fullmatch(value):
        raise InvalidInput(f"must be a date YYYY-MM-DD, got {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a calendar date") from None


def _placeholders(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [name for value in node.values() for name in _placeholders(value)]
    if isinstance(node, list):
        return [name for value in node for name in _placeholders(value)]
    if isinstance(node, str):
        match = PLACEHOLDER.fullmatch(node)
        return [match.group(1)] if match else []
    return []


def _fill(node: Any, values: Mapping[str, Any]) -> Any:
    """`node` with placeholders replaced; keys of empty optional fields (and objects left empty) dropped."""
    if isinstance(node, dict):
        filled = {key: _fill(value, values) for key, value in node.items()}
        kept = {key: value for key, value in filled.items() if value is not _MISSING}
        return kept if kept or not node else _MISSING
    if isinstance(node, list):
        return [item for item in (_fill(value, values) for value in node) if item is not _MISSING]
    if isinstance(node, str):
        match = PLACEHOLDER.fullmatch(node)
        return values.get(match.group(1), _MISSING) if match else node
    return copy.deepcopy(node)


def _encodable(value: str) -> bool:
    """Whether `value` is text UTF-8 can write: JSON records may carry lone surrogates such as "\\ud800"."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True
