import datetime as dt
import tomllib

import pytest

from kiosk.domain.catalogue import (
    ApplicationType as T,
)
from kiosk.domain.catalogue import (
    Exemption,
    Validity,
    card_expiry,
    check_eligibility,
    fee_yuan,
    promised_working_days,
    required_materials,
    validity_for_age,
)
from kiosk.domain.catalogue import (
    Material as M,
)
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.station import parse_station_settings
from kiosk.services.station import DEMO_STATION_FILE
from tests.conftest import JIANGXI_ID, LOCAL_ID, make_id

SETTINGS = parse_station_settings(tomllib.loads(DEMO_STATION_FILE.read_text()))
TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("app_type", "fee"),
    [(T.FIRST, 0), (T.RENEWAL_EXPIRY, 20), (T.RENEWAL_CHANGE, 20), (T.DAMAGED, 40), (T.LOST, 40), (T.TEMPORARY, 10)],
)
def test_fees_come_from_the_station(app_type, fee):
    assert fee_yuan(app_type, SETTINGS) == fee


@pytest.mark.parametrize(
    ("exemption", "lost_fee", "temporary_fee"),
    [
        (Exemption.NONE, 40, 10),
        (Exemption.MINIMUM_INCOME, 0, 0),
        (Exemption.VETERAN_FAMILY, 0, 0),
        (Exemption.HARDSHIP, 20, 5),
    ],
)
def test_exemptions(exemption, lost_fee, temporary_fee):
    assert fee_yuan(T.LOST, SETTINGS, exemption) == lost_fee
    assert fee_yuan(T.TEMPORARY, SETTINGS, exemption) == temporary_fee


@pytest.mark.parametrize(
    ("age", "validity"),
    [
        (0, Validity.FIVE_YEARS),
        (15, Validity.FIVE_YEARS),
        (16, Validity.TEN_YEARS),
        (25, Validity.TEN_YEARS),
        (26, Validity.TWENTY_YEARS),
        (45, Validity.TWENTY_YEARS),
        (46, Validity.LONG_TERM),
        (90, Validity.LONG_TERM),
    ],
)
def test_validity_by_age_at_issue(age, validity):
    assert validity_for_age(age) is validity


def test_card_expiry():
    assert card_expiry(dt.date(2026, 11, 24), 30) == dt.date(2046, 11, 24)
    assert card_expiry(dt.date(2024, 2, 29), 20) == dt.date(2034, 2, 28)
    assert card_expiry(dt.date(2024, 2, 29), 10) == dt.date(2029, 2, 28)
    assert card_expiry(dt.date(2026, 11, 24), 50) is None


def test_materials():
    assert required_materials(T.FIRST, age=30, out_of_province=False) == (M.HOUSEHOLD_REGISTER,)
    assert required_materials(T.FIRST, age=30, out_of_province=True) == (
        M.HOUSEHOLD_REGISTER,
        M.RESIDENCE_PROOF,
        M.COMMITMENT_LETTER,
    )
    assert M.GUARDIAN_ID in required_materials(T.FIRST, age=12, out_of_province=False)
    assert required_materials(T.RENEWAL_EXPIRY, age=40, out_of_province=True) == ()
    assert required_materials(T.DAMAGED, age=40, out_of_province=False, exemption=Exemption.HARDSHIP) == (
        M.OLD_CARD,
        M.EXEMPTION_CERTIFICATE,
    )


def test_promised_days_local_and_out_of_province():
    assert promised_working_days(T.LOST, out_of_province=False, settings=SETTINGS) == 15
    assert promised_working_days(T.LOST, out_of_province=True, settings=SETTINGS) == 30  # within the law


def _eligibility(app_type, number, registered, **kwargs):
    return check_eligibility(
        app_type,
        parse_id_number(number, today=TODAY),
        registered_province=registered,
        settings=SETTINGS,
        today=TODAY,
        **kwargs,
    )


def test_out_of_province_first_application_is_accepted():
    assert _eligibility(T.FIRST, JIANGXI_ID, "36").ok


def test_hong_kong_numbers_cannot_get_a_resident_card():
    result = _eligibility(T.FIRST, make_id("81000019900101001"), "33")
    assert not result.ok and result.reason == "not_resident"


def test_out_of_province_temporary_card_follows_the_station_setting():
    assert _eligibility(T.TEMPORARY, JIANGXI_ID, "36").ok
    strict = parse_station_settings(
        tomllib.loads(DEMO_STATION_FILE.read_text().replace("out_of_province = true", "out_of_province = false"))
    )
    result = check_eligibility(
        T.TEMPORARY, parse_id_number(JIANGXI_ID, today=TODAY), registered_province="36", settings=strict, today=TODAY
    )
    assert not result.ok and result.reason == "temporary_out_of_province"
    local = check_eligibility(
        T.TEMPORARY, parse_id_number(LOCAL_ID, today=TODAY), registered_province="33", settings=strict, today=TODAY
    )
    assert local.ok


def test_renewal_window():
    in_window = _eligibility(T.RENEWAL_EXPIRY, LOCAL_ID, "33", card_expires=TODAY + dt.timedelta(days=90))
    assert in_window.ok
    too_early = _eligibility(T.RENEWAL_EXPIRY, LOCAL_ID, "33", card_expires=TODAY + dt.timedelta(days=91))
    assert not too_early.ok and too_early.reason == "renewal_too_early"
    assert too_early.earliest == TODAY + dt.timedelta(days=1)
    assert _eligibility(T.RENEWAL_EXPIRY, LOCAL_ID, "33", card_expires=TODAY - dt.timedelta(days=400)).ok


def test_long_term_cards_are_not_renewed_for_expiry():
    result = _eligibility(T.RENEWAL_EXPIRY, LOCAL_ID, "33", card_long_term=True)
    assert not result.ok and result.reason == "card_long_term"
    assert _eligibility(T.DAMAGED, LOCAL_ID, "33", card_long_term=True).ok


@pytest.mark.parametrize("out_of_province", [False, True])
def test_an_urgent_case_is_promised_the_stations_shorter_target(out_of_province):
    """docs/domain.md "Commitments": commitments.urgent_ready_days, when shorter than the promise."""
    urgent = promised_working_days(T.LOST, out_of_province=out_of_province, settings=SETTINGS, urgent=True)
    assert urgent == SETTINGS.urgent_ready_days == 5
    assert promised_working_days(T.TEMPORARY, out_of_province=False, settings=SETTINGS, urgent=True) == 1
