"""The seven service commitments (七办承诺制) and the deadlines they promise.

`decide_commitment` takes what the kiosk learnt about the applicant's situation
and returns the one commitment that governs the case, its handling deadline,
and (whenever something is missing) the deadline to supply materials. Targets
are station settings in working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from .calendar import WorkingCalendar
from .catalogue import Material

if TYPE_CHECKING:
    from .station import StationSettings


class Commitment(StrEnum):
    IMMEDIATE = "immediate"  # 手续齐全立即办
    TIME_LIMITED = "time_limited"  # 手续不全限时办
    HOME_VISIT = "home_visit"  # 行动不便上门办
    PRIORITY = "priority"  # 特殊群体优先办
    URGENT = "urgent"  # 要事急事特殊办
    REGISTERED = "registered"  # 客观原因登记办
    APPOINTMENT = "appointment"  # 假日期间预约办


# Order of the staff queue: lower first. Urgent and priority cases jump the
# queue (docs/domain.md "Commitments"), registered cases wait on an outside cause.
QUEUE_RANK: dict[Commitment, int] = {
    Commitment.URGENT: 0,
    Commitment.PRIORITY: 1,
    Commitment.HOME_VISIT: 2,
    Commitment.IMMEDIATE: 3,
    Commitment.APPOINTMENT: 3,
    Commitment.TIME_LIMITED: 4,
    Commitment.REGISTERED: 5,
}


class SpecialGroup(StrEnum):
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    MILITARY = "military"
    OTHER = "other"


@dataclass(frozen=True)
class Situation:
    """What the kiosk asks: everything that routes a case to a commitment."""

    required: tuple[Material, ...] = ()
    held: frozenset[Material] = frozenset()
    cannot_travel: bool = False
    special_group: SpecialGroup | None = None
    urgent_reason: str = ""
    blocking_reason: str = ""
    wants_out_of_hours_slot: bool = False
    card_lost: bool = False  # the citizen has no card while the new one is made

    @property
    def missing(self) -> tuple[Material, ...]:
        return tuple(m for m in self.required if m not in self.held)


@dataclass(frozen=True)
class Decision:
    commitment: Commitment
    handling_deadline: dt.date  # the last working day on which staff must act
    missing: tuple[Material, ...] = ()
    materials_deadline: dt.date | None = None
    supervisor_sign_off: bool = False
    offer_temporary_id: bool = False
    flags: frozenset[Commitment] = field(default_factory=frozenset)  # every commitment that applies

    @property
    def queue_rank(self) -> int:
        return QUEUE_RANK[self.commitment]


# When several commitments apply, the first in this order governs the case.
# A blocking cause stops everything; a home visit changes where the work is
# done; urgency and priority change how fast; missing materials set a second
# deadline whatever governs.
PRECEDENCE = (
    Commitment.REGISTERED,
    Commitment.HOME_VISIT,
    Commitment.URGENT,
    Commitment.PRIORITY,
    Commitment.TIME_LIMITED,
    Commitment.APPOINTMENT,
    Commitment.IMMEDIATE,
)


def applicable_commitments(situation: Situation) -> frozenset[Commitment]:
    applies = {
        Commitment.REGISTERED: bool(situation.blocking_reason.strip()),
        Commitment.HOME_VISIT: situation.cannot_travel,
        Commitment.URGENT: bool(situation.urgent_reason.strip()),
        Commitment.PRIORITY: situation.special_group is not None,
        Commitment.TIME_LIMITED: bool(situation.missing),
        Commitment.APPOINTMENT: situation.wants_out_of_hours_slot,
    }
    found = {commitment for commitment, yes in applies.items() if yes}
    return frozenset(found or {Commitment.IMMEDIATE})


def decide_commitment(
    situation: Situation,
    *,
    accepted_on: dt.date,
    calendar: WorkingCalendar,
    settings: StationSettings,
    temporary_id_possible: bool = False,
) -> Decision:
    flags = applicable_commitments(situation)
    commitment = next(c for c in PRECEDENCE if c in flags)
    target_days = settings.commitment_target_days[commitment]
    missing = situation.missing
    materials_deadline = calendar.add_working_days(accepted_on, settings.materials_deadline_days) if missing else None
    return Decision(
        commitment=commitment,
        handling_deadline=calendar.add_working_days(accepted_on, target_days),
        missing=missing,
        materials_deadline=materials_deadline,
        supervisor_sign_off=commitment is Commitment.URGENT,
        # A temporary ID helps whoever cannot wait without a card: an urgent need, a lost card.
        offer_temporary_id=(Commitment.URGENT in flags or situation.card_lost) and temporary_id_possible,
        flags=flags,
    )
