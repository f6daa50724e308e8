"""Who on the staff may do what: each role gets the permissions of its job and no more.

docs/security.md shows this table; tests/security/test_roles.py tries every staff route as every
role against it. Everything is also bounded by the station: an account works only on its own
station's server, and sees only its station's cases, bookings, accounts and documents.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    WINDOW = "window"  # window officers: the queue and the cases
    SUPERVISOR = "supervisor"  # the station's leaders: cases, oversight, home visits
    VISIT_OFFICER = "visit_officer"  # officers who visit people at home: their own rounds only
    ADMIN = "admin"  # accounts, settings, calendar; oversight figures, no case work


class Permission(StrEnum):
    QUEUE = "queue"  # the queue of the station's cases (masked)
    VIEW_CASE = "view_case"  # any case of the station, unmasked (each opening audited)
    WORK_CASE = "work_case"  # approve, refuse, ask for materials, register, take fees, print receipts
    OVERSEE = "oversee"  # dashboard, export, overdue board
    SIGN_OFF = "sign_off"  # sign off an urgent case's special handling (要事急事特殊办)
    ASSIGN_VISITS = "assign_visits"  # the home-visit board
    VISIT = "visit"  # one's own rounds: print them, record one's own visits, open their cases
    PRINTS = "prints"  # the printed documents and reprints
    MESSAGES = "messages"  # the log of texts sent to citizens
    ADMINISTER = "administer"  # accounts, station settings, calendar


P = Permission
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.WINDOW: frozenset({P.QUEUE, P.VIEW_CASE, P.WORK_CASE, P.PRINTS, P.MESSAGES}),
    Role.SUPERVISOR: frozenset(
        {P.QUEUE, P.VIEW_CASE, P.WORK_CASE, P.OVERSEE, P.SIGN_OFF, P.ASSIGN_VISITS, P.PRINTS, P.MESSAGES}
    ),
    Role.VISIT_OFFICER: frozenset({P.VISIT, P.PRINTS}),
    Role.ADMIN: frozenset({P.OVERSEE, P.PRINTS, P.MESSAGES, P.ADMINISTER}),
}


def may(role: str, permission: Permission) -> bool:
    """Whether a staff member of `role` has `permission` (an unknown role has none)."""
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False
