import datetime as dt
import tomllib

import pytest

from kiosk.domain.calendar import WorkingCalendar, official_days
from kiosk.domain.catalogue import Material
from kiosk.domain.commitments import Commitment, Situation, SpecialGroup, decide_commitment
from kiosk.domain.schedule import handling_day
from kiosk.domain.station import parse_station_settings
from kiosk.services.station import DEMO_STATION_FILE

C, M = Commitment, Material
SETTINGS = parse_station_settings(tomllib.loads(DEMO_STATION_FILE.read_text()))
CALENDAR = WorkingCalendar.from_days(official_days([2026]))
TUESDAY = dt.date(2026, 11, 24)
REQUIRED = (M.OLD_CARD, M.HOUSEHOLD_REGISTER)
ALL = frozenset(REQUIRED)

# (situation, governing commitment, every commitment that applies)
TABLE = [
    (Situation(REQUIRED, ALL), C.IMMEDIATE, {C.IMMEDIATE}),
    (Situation(REQUIRED, frozenset({M.OLD_CARD})), C.TIME_LIMITED, {C.TIME_LIMITED}),
    (Situation(REQUIRED, ALL, cannot_travel=True), C.HOME_VISIT, {C.HOME_VISIT}),
    (Situation(REQUIRED, ALL, special_group=SpecialGroup.ELDERLY), C.PRIORITY, {C.PRIORITY}),
    (Situation(REQUIRED, ALL, urgent_reason="高考报名"), C.URGENT, {C.URGENT}),
    (Situation(REQUIRED, ALL, urgent_reason="   "), C.IMMEDIATE, {C.IMMEDIATE}),
    (Situation(REQUIRED, ALL, blocking_reason="人口信息系统故障"), C.REGISTERED, {C.REGISTERED}),
    (Situation(REQUIRED, ALL, wants_out_of_hours_slot=True), C.APPOINTMENT, {C.APPOINTMENT}),
    # Several apply: the governing one follows the precedence.
    (Situation(REQUIRED, frozenset(), special_group=SpecialGroup.PREGNANT), C.PRIORITY, {C.PRIORITY, C.TIME_LIMITED}),
    (Situation(REQUIRED, ALL, cannot_travel=True, urgent_reason="就医"), C.HOME_VISIT, {C.HOME_VISIT, C.URGENT}),
    (
        Situation(REQUIRED, ALL, urgent_reason="出差", special_group=SpecialGroup.MILITARY),
        C.URGENT,
        {C.URGENT, C.PRIORITY},
    ),
    (
        Situation(REQUIRED, ALL, blocking_reason="待核查", cannot_travel=True),
        C.REGISTERED,
        {C.REGISTERED, C.HOME_VISIT},
    ),
    (Situation(REQUIRED, frozenset(), wants_out_of_hours_slot=True), C.TIME_LIMITED, {C.TIME_LIMITED, C.APPOINTMENT}),
    (Situation((), frozenset()), C.IMMEDIATE, {C.IMMEDIATE}),
]


@pytest.mark.parametrize(("situation", "governing", "flags"), TABLE)
def test_commitment_table(situation, governing, flags):
    decision = decide_commitment(situation, accepted_on=TUESDAY, calendar=CALENDAR, settings=SETTINGS)
    assert decision.commitment is governing
    assert decision.flags == flags
    assert decision.handling_deadline == CALENDAR.add_working_days(TUESDAY, SETTINGS.commitment_target_days[governing])


def test_missing_materials_get_their_own_deadline_whatever_governs():
    situation = Situation(REQUIRED, frozenset({M.OLD_CARD}), special_group=SpecialGroup.DISABLED)
    decision = decide_commitment(situation, accepted_on=TUESDAY, calendar=CALENDAR, settings=SETTINGS)
    assert decision.missing == (M.HOUSEHOLD_REGISTER,)
    assert decision.materials_deadline == dt.date(2026, 12, 8)  # 10 working days


def test_nothing_missing_means_no_materials_deadline():
    decision = decide_commitment(Situation(REQUIRED, ALL), accepted_on=TUESDAY, calendar=CALENDAR, settings=SETTINGS)
    assert decision.materials_deadline is None and decision.missing == ()


def test_deadlines_skip_the_spring_festival():
    situation = Situation(REQUIRED, frozenset())
    decision = decide_commitment(situation, accepted_on=dt.date(2026, 2, 13), calendar=CALENDAR, settings=SETTINGS)
    # 10 working days from Fri 13 Feb: 14 (make-up Sat), 24, 25, 26, 27, 28 (make-up Sat), 2, 3, 4, 5 March.
    assert decision.materials_deadline == dt.date(2026, 3, 5)
    assert decision.handling_deadline == dt.date(2026, 2, 13)


def test_home_visit_target_in_working_days_over_national_day():
    situation = Situation((), frozenset(), cannot_travel=True)
    decision = decide_commitment(situation, accepted_on=dt.date(2026, 9, 30), calendar=CALENDAR, settings=SETTINGS)
    # 5 working days after Wed 30 Sep: 8, 9, 10 (make-up Saturday), 12, 13 October.
    assert decision.handling_deadline == dt.date(2026, 10, 13)


def test_urgent_needs_sign_off_and_offers_a_temporary_card_where_possible():
    situation = Situation((), frozenset(), urgent_reason="明天乘飞机")
    offered = decide_commitment(
        situation, accepted_on=TUESDAY, calendar=CALENDAR, settings=SETTINGS, temporary_id_possible=True
    )
    assert offered.supervisor_sign_off and offered.offer_temporary_id
    refused = decide_commitment(
        situation, accepted_on=TUESDAY, calendar=CALENDAR, settings=SETTINGS, temporary_id_possible=False
    )
    assert not refused.offer_temporary_id


def test_queue_rank_puts_urgent_and_priority_first():
    ranks = {
        c: decide_commitment(s, accepted_on=TUESDAY, calendar=CALENDAR, settings=SETTINGS).queue_rank
        for s, c, _ in TABLE
    }
    assert ranks[C.URGENT] < ranks[C.PRIORITY] < ranks[C.IMMEDIATE] < ranks[C.REGISTERED]


ZONE = SETTINGS.zone
SPECIALS = {d.day: d for d in official_days([2026])}


@pytest.mark.parametrize(
    ("moment", "handled_on"),
    [
        (dt.datetime(2026, 11, 24, 7, 0), dt.date(2026, 11, 24)),  # Tuesday before opening: today
        (dt.datetime(2026, 11, 24, 19, 59), dt.date(2026, 11, 24)),  # in the evening session
        (dt.datetime(2026, 11, 24, 20, 0), dt.date(2026, 11, 25)),  # the hall has closed: Wednesday
        (dt.datetime(2026, 11, 27, 21, 0), dt.date(2026, 11, 30)),  # Friday night: Monday
        (dt.datetime(2026, 11, 28, 10, 0), dt.date(2026, 11, 30)),  # Saturday, hall open, no working day
        (dt.datetime(2026, 10, 3, 10, 0), dt.date(2026, 10, 8)),  # 国庆节: the first working day after
        (dt.datetime(2026, 10, 10, 10, 0), dt.date(2026, 10, 10)),  # make-up working Saturday
    ],
)
def test_today_is_promised_only_on_a_working_day_before_the_hall_closes(moment, handled_on):
    """docs/domain.md "Commitments": "today" only when it can be kept, else the next opening."""
    local = moment.replace(tzinfo=ZONE)
    assert handling_day(local, SETTINGS, CALENDAR, SPECIALS.get(local.date())) == handled_on
