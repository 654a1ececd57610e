"""The citizen's wallet: certificates kept as files in a folder on their own device, and presentations.

A presentation is a copy of a certificate with every field the holder did not choose to reveal obfuscated
(gzchain.domain.certificates.disclosure): it still verifies, and reveals nothing else. The wallet never talks
to the chain; verifying is for whoever receives a certificate (`gzchain cert verify`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from gzchain.domain.bounded_json import load_json_bounded
from gzchain.domain.certificates.disclosure import fields_to_hide
from gzchain.domain.errors import Conflict, InvalidInput, NotFound
from gzchain.domain.oa import WrappedDocument, check_signature, get_data, obfuscate, validate_schema

MIN_REFERENCE: Final = 4  # hex digits of a targetHash that pick out a certificate


@dataclass(frozen=True)
class WalletEntry:
    id: str  # the certificate's targetHash (hex)
    path: Path
    title: str
    number: str
    holder: str
    issuer: str

    @property
    def short_id(self) -> str:
        return self.id[:12]


class Wallet:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def add(self, source: Path) -> WalletEntry:
        """Keep a copy of the certificate in `source`; it must be intact and an OA v2 document."""
        document = read_document(source)
        try:
            check_signature(document)
            validate_schema(document)
        except InvalidInput as exc:
            raise InvalidInput(
                f"not an intact OpenAttestation certificate: {exc}", field=str(source)
            ) from None
        target = self._path_for(document["signature"]["targetHash"].lower())
        if target.exists():
            raise Conflict(f"this certificate is already in the wallet as {target.stem[:12]}")
        # Certificates carry personal data: only their holder may read the wallet.
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return _entry(target, document)

    def entries(self) -> list[WalletEntry]:
        if not self.folder.is_dir():
            return []
        return sorted(
            (_entry(path, read_document(path)) for path in self.folder.glob("*.json")),
            key=lambda entry: (entry.title, entry.number, entry.id),
        )

    def get(self, reference: str) -> tuple[WalletEntry, WrappedDocument]:
        """A certificate by the start of its id (at least MIN_REFERENCE hex digits)."""
        wanted = reference.strip().lower().removeprefix("0x")
        if len(wanted) < MIN_REFERENCE:
            raise InvalidInput(f"give at least {MIN_REFERENCE} characters of the id", field="id")
        found = [path for path in self.folder.glob("*.json") if path.stem.startswith(wanted)]
        if not found:
            raise NotFound(f"no certificate {reference!r} in the wallet at {self.folder}")
        if len(found) > 1:
            raise InvalidInput(
                f"{len(found)} certificates start with {reference!r}; give more of the id", field="id"
            )
        document = read_document(found[0])
        return _entry(found[0], document), document

    def present(self, reference: str, reveal: Sequence[str]) -> WrappedDocument:
        """The certificate with only `reveal` (and what verification needs) visible; it still verifies."""
        _, document = self.get(reference)
        presentation = obfuscate(document, fields_to_hide(get_data(document), reveal))
        check_signature(presentation)
        return presentation

    def _path_for(self, target_hash: str) -> Path:
        return self.folder / f"{target_hash}.json"


def withhold(document: WrappedDocument, fields: Sequence[str]) -> WrappedDocument:
    """`document` with the given fields hidden (OA obfuscation); it must verify before, and does after."""
    try:
        check_signature(document)
    except InvalidInput as exc:
        raise InvalidInput(f"not an intact certificate: {exc}", field="document") from None
    withheld = obfuscate(document, fields)
    check_signature(withheld)
    return withheld


def read_document(path: Path) -> WrappedDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", field=str(path)) from None
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text", field=str(path)) from None
    document = load_json_bounded(text, field=str(path))  # a certificate file is untrusted input
    if not isinstance(document, dict):
        raise InvalidInput("a certificate is a JSON object", field=str(path))
    return document


def _entry(path: Path, document: WrappedDocument) -> WalletEntry:
    try:
        data: dict[str, Any] = get_data(document)
    except InvalidInput:
        data = {}
    recipient = data.get("recipient") if isinstance(data.get("recipient"), dict) else {}
    issuers = data.get("issuers") if isinstance(data.get("issuers"), list) else []
    first_issuer = issuers[0] if issuers and isinstance(issuers[0], dict) else {}
    return WalletEntry(
        id=path.stem,
        path=path,
        title=str(data.get("name", "(untitled)")),
        number=str(data.get("id", "")),
        holder=str(recipient.get("name", "")),
        issuer=str(first_issuer.get("name", "")),
    )
