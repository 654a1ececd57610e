"""The consortium as gzchain's Python side sees it: agencies, genesis, members, proposals."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from gzchain.domain.errors import InvalidInput
from gzchain.domain.roles import Role
from gzchain.domain.text import canonical_domain, check_display_text


@dataclass(frozen=True)
class Agency:
    """A government agency or licensed operator as described in the genesis file."""

    id: str
    name: str
    domain: str
    roles: tuple[Role, ...]
    name_zh: str = ""


@dataclass(frozen=True)
class Genesis:
    threshold: int
    proposal_lifetime_seconds: int
    agencies: tuple[Agency, ...]

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise InvalidInput(f"no agency {agency_id!r} in the genesis consortium", field="agency")

    @property
    def governors(self) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if Role.GOVERNOR in a.roles)


def majority(governors: int) -> int:
    return governors // 2 + 1


def genesis_from_dict(data: dict[str, Any]) -> Genesis:
    """Validate a genesis description; errors name the agency index and field."""
    raw_agencies = data.get("agencies")
    if not isinstance(raw_agencies, list) or not raw_agencies:
        raise InvalidInput("must list at least one agency", field="agencies")
    agencies = tuple(_agency(i, raw) for i, raw in enumerate(raw_agencies))
    for attribute in ("id", "domain"):
        seen: set[str] = set()
        for i, agency in enumerate(agencies):
            value = getattr(agency, attribute)
            if value in seen:
                raise InvalidInput(f"{value!r} is used by two agencies", field=f"agencies[{i}].{attribute}")
            seen.add(value)
    governors = sum(Role.GOVERNOR in a.roles for a in agencies)
    if governors == 0:
        raise InvalidInput("at least one agency must be a GOVERNOR", field="agencies")
    threshold = data.get("threshold", majority(governors))
    if not isinstance(threshold, int) or not majority(governors) <= threshold <= governors:
        raise InvalidInput(
            f"must be between a majority ({majority(governors)}) and all ({governors}) governors, "
            f"got {threshold!r}",
            field="threshold",
        )
    days = data.get("proposal_lifetime_days", 7)
    if not isinstance(days, int | float) or days <= 0:
        raise InvalidInput(f"must be a positive number of days, got {days!r}", field="proposal_lifetime_days")
    return Genesis(threshold=threshold, proposal_lifetime_seconds=int(days * 86400), agencies=agencies)


def _agency(index: int, raw: Any) -> Agency:
    where = f"agencies[{index}]"
    if not isinstance(raw, dict):
        raise InvalidInput("must be a mapping", field=where)
    for key in ("id", "name", "domain"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InvalidInput("is required and must be a non-empty string", field=f"{where}.{key}")
    roles = raw.get("roles", [])
    if not isinstance(roles, list):
        raise InvalidInput("must be a list of role names", field=f"{where}.roles")
    parsed: list[Role] = []
    for j, name in enumerate(roles):
        try:
            parsed.append(Role.parse(str(name)))
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, field=f"{where}.roles[{j}]") from None
    return Agency(
        id=raw["id"].strip(),
        name=check_display_text(raw["name"].strip(), field=f"{where}.name"),
        domain=canonical_domain(raw["domain"], field=f"{where}.domain"),
        roles=tuple(dict.fromkeys(parsed)),
        name_zh=str(raw.get("name_zh", "")).strip(),
    )


class MemberStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2


class ProposalKind(IntEnum):
    ADD_MEMBER = 0
    SUSPEND_MEMBER = 1
    REINSTATE_MEMBER = 2
    GRANT_ROLE = 3
    REVOKE_ROLE = 4
    CHANGE_THRESHOLD = 5


class ProposalState(IntEnum):
    NONE = 0
    PENDING = 1
    EXECUTED = 2
    EXPIRED = 3


@dataclass(frozen=True)
class Member:
    address: str
    name: str
    domain: str
    status: MemberStatus
    joined_at: int
    roles: tuple[Role, ...]
    agency_id: str | None = None


@dataclass(frozen=True)
class Proposal:
    id: int
    kind: ProposalKind
    state: ProposalState
    proposer: str
    account: str | None
    role: Role | None
    threshold: int | None
    name: str
    domain: str
    created_at: int
    expires_at: int
    approvals: int
    approved_by: tuple[str, ...] = field(default_factory=tuple)
