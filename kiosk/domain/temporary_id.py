"""The temporary resident ID card (临时居民身份证): when it may be issued, how soon, how long it
is valid (docs/domain.md, "Temporary ID").

It bridges the wait for a resident ID card: it is issued only while the same person's main
application (a first application, a renewal or a replacement) is pending, it is ready within
3 working days, and it is valid for three months from the day it is issued.
"""

from __future__ import annotations

import datetime as dt

from .catalogue import ApplicationType
from .states import State

READY_WITHIN_WORKING_DAYS = 3
LONGEST_VALID_DAYS = 92  # three calendar months at most

# A main application is pending from submission until its card is ready: then the card itself
# can be collected, and a closed case has nothing left to bridge.
PENDING_MAIN_STATES = frozenset(
    {State.SUBMITTED, State.AWAITING_MATERIALS, State.APPROVED, State.VERIFYING, State.IN_PRODUCTION}
)
MAIN_TYPES = frozenset(t for t in ApplicationType if t is not ApplicationType.TEMPORARY)


def valid_until(issued: dt.date, valid_days: int) -> dt.date:
    """The last day a temporary ID issued on `issued` is valid, the day of issue counting as the first."""
    return issued + dt.timedelta(days=valid_days - 1)
