"""The little JSON-LD an EPCIS document needs: namespace prefixes from ``@context``, compact IRIs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final

from gzchain.domain.epcis.vocabulary import STANDARD_PREFIXES

XMLNS_KEY_PREFIX: Final = "@xmlns:"


def namespaces_from_context(context: object) -> Mapping[str, str]:
    """Prefix → namespace IRI: the standard EPCIS prefixes, overridden by those ``context`` declares.

    ``context`` is a document's ``@context``: a context URL, a mapping, or a list of both. Term
    definitions that are not plain IRIs (``{"@id": ...}``) declare no prefix and are skipped.
    """
    namespaces = dict(STANDARD_PREFIXES)
    entries = context if isinstance(context, list) else [context]
    for entry in entries:
        if isinstance(entry, Mapping):
            namespaces.update(
                (prefix, iri)
                for prefix, iri in entry.items()
                if isinstance(prefix, str) and not prefix.startswith("@") and isinstance(iri, str)
            )
    return MappingProxyType(namespaces)


def with_xmlns_declarations(namespaces: Mapping[str, str], node: object) -> Mapping[str, str]:
    """``namespaces`` plus every ``@xmlns:prefix`` declared anywhere inside ``node``.

    EPCIS JSON converted from XML carries namespace declarations inline; they apply to the whole event
    so that a field's hash does not depend on where its namespace happened to be declared.
    """
    declared = dict(_xmlns_declarations(node))
    return MappingProxyType({**namespaces, **declared}) if declared else namespaces


def expanded_key(key: str, namespaces: Mapping[str, str]) -> str:
    """``prefix:local`` as ``{namespace}local`` (the hash's spelling of an extension field name)."""
    prefix, separator, local = key.partition(":")
    if separator and prefix in namespaces:
        return "{" + namespaces[prefix] + "}" + local
    return key


def expanded_value(value: str, namespaces: Mapping[str, str]) -> str:
    """A compact IRI value (``ext:thing``) as the full IRI; any other string unchanged."""
    prefix, separator, local = value.partition(":")
    if separator and prefix in namespaces:
        return namespaces[prefix] + local
    return value


def _xmlns_declarations(node: Any) -> Iterator[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    _collect_xmlns(node, found)
    return iter(found)


def _collect_xmlns(node: Any, found: list[tuple[str, str]]) -> None:
    """Appends the declarations inside ``node`` in document order; a plain recursion over containers only,
    as an event's sensor reports may be a hundred thousand objects."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(key, str) and key.startswith(XMLNS_KEY_PREFIX) and isinstance(value, str):
                found.append((key[len(XMLNS_KEY_PREFIX) :], value))
            elif _is_container(value):
                _collect_xmlns(value, found)
    elif isinstance(node, list):
        for item in node:
            if _is_container(item):
                _collect_xmlns(item, found)


def _is_container(value: Any) -> bool:
    kind = type(value)
    return kind is dict or kind is list or (kind not in _SCALARS and isinstance(value, Mapping | list))


_SCALARS = frozenset({str, int, float, bool, type(None)})
