"""Finding certificate templates: the ones shipped with gzchain by id, or any template file by path."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, Final

from gzchain.domain.certificates.templates import Template, template_from_dict
from gzchain.domain.errors import InvalidInput, NotFound

_PREFIX: Final = "cert-template-"


def builtin_templates() -> dict[str, Template]:
    """The templates shipped in gzchain/data, by id."""
    templates = {}
    for entry in sorted(resources.files("gzchain.data").iterdir(), key=lambda item: item.name):
        if entry.name.startswith(_PREFIX) and entry.name.endswith(".json"):
            template = _parse(entry.read_text(encoding="utf-8"), entry.name)
            templates[template.id] = template
    return templates


def template_of(data: Any) -> Template | None:
    """The shipped template a document's data was made from, known by its renderer (`$template.name`)."""
    renderer = data.get("$template") if isinstance(data, dict) else None
    name = renderer.get("name") if isinstance(renderer, dict) else None
    if not isinstance(name, str):
        return None
    for template in builtin_templates().values():
        shipped = template.document.get("$template")
        if isinstance(shipped, dict) and shipped.get("name") == name:
            return template
    return None


def load_template(name_or_path: str) -> Template:
    """A shipped template by id (`graduation-certificate`), or a template file by path."""
    shipped = builtin_templates()
    if name_or_path in shipped:
        return shipped[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        raise NotFound(
            f"no template {name_or_path!r}: give one of {', '.join(shipped)} or the path of a template file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read template: {exc.strerror}", field=str(path)) from None
    return _parse(text, str(path))


def _parse(text: str, source: str) -> Template:
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field=source) from None
    return template_from_dict(raw, source)
