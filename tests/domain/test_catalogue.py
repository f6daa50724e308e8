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
    exemptions_for,
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


# docs/domain.md, "Fee exemptions": minimum income pays nothing and other hardship half, on first
# applications and renewals only; the veterans'-families exemption only where the station grants it.
@pytest.mark.parametrize(
    ("app_type", "none", "minimum_income", "hardship", "veteran_family"),
    [
        (T.FIRST, 0, 0, 0, 0),
        (T.RENEWAL_EXPIRY, 20, 0, 10, 20),
        (T.RENEWAL_CHANGE, 20, 0, 10, 20),
        (T.DAMAGED, 40, 40, 40, 40),
        (T.LOST, 40, 40, 40, 40),
        (T.TEMPORARY, 10, 10, 10, 10),
    ],
)
def test_exemptions_apply_to_first_applications_and_renewals_only(
    app_type, none, minimum_income, hardship, veteran_family
):
    assert fee_yuan(app_type, SETTINGS, Exemption.NONE) == none
    assert fee_yuan(app_type, SETTINGS, Exemption.MINIMUM_INCOME) == minimum_income
    assert fee_yuan(app_type, SETTINGS, Exemption.HARDSHIP) == hardship
    assert fee_yuan(app_type, SETTINGS, Exemption.VETERAN_FAMILY) == veteran_family


def _settings_with(**exemptions):
    doc = tomllib.loads(DEMO_STATION_FILE.read_text())
    doc["exemptions"] |= exemptions
    return parse_station_settings(doc)


@pytest.mark.parametrize(
    ("app_type", "fee"),
    [(T.RENEWAL_EXPIRY, 0), (T.RENEWAL_CHANGE, 0), (T.DAMAGED, 40), (T.LOST, 40), (T.TEMPORARY, 10)],
)
def test_the_veterans_families_exemption_is_a_station_setting(app_type, fee):
    assert Exemption.VETERAN_FAMILY not in SETTINGS.exemptions_offered  # off by default
    granting = _settings_with(veteran_family_offered=True)
    assert fee_yuan(app_type, granting, Exemption.VETERAN_FAMILY) == fee
    assert (Exemption.VETERAN_FAMILY in exemptions_for(app_type, granting)) == (fee == 0)


def test_a_station_file_without_the_veterans_setting_grants_no_veterans_exemption():
    doc = tomllib.loads(DEMO_STATION_FILE.read_text())
    del doc["exemptions"]["veteran_family_offered"]
    assert parse_station_settings(doc).exemptions_offered == {Exemption.MINIMUM_INCOME, Exemption.HARDSHIP}


@pytest.mark.parametrize(
    ("app_type", "certificate"),
    [
        (T.FIRST, True),
        (T.RENEWAL_EXPIRY, True),
        (T.RENEWAL_CHANGE, True),
        (T.DAMAGED, False),
        (T.LOST, False),
        (T.TEMPORARY, False),
    ],
)
def test_the_exemption_certificate_is_asked_for_only_where_the_exemption_applies(app_type, certificate):
    materials = required_materials(app_type, age=40, out_of_province=False, exemption=Exemption.HARDSHIP)
    assert (M.EXEMPTION_CERTIFICATE in materials) == certificate


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
    assert required_materials(T.RENEWAL_CHANGE, age=40, out_of_province=False, exemption=Exemption.HARDSHIP) == (
        M.OLD_CARD,
        M.HOUSEHOLD_REGISTER,
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
