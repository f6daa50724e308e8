"""Documents of made-up people, masked the way the kiosk masks them (kiosk.domain.masking)."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.domain.masking import mask_address, mask_id_number, mask_name, mask_phone
from printing import DeliverByPost, samples

FULL_NAME = "王小明"
FULL_ID = "11010519491231002X"  # the example of GB 11643-1999
FULL_PHONE = "13812345678"
FULL_ADDRESS = "浙江省嘉兴市南湖区新兴路 18 弄 3 幢 501 室"


@pytest.fixture
def receipt():
    return dataclasses.replace(
        samples.receipt(),
        name_masked=mask_name(FULL_NAME),
        id_number_masked=mask_id_number(FULL_ID),
        phone_masked=mask_phone(FULL_PHONE),
    )


@pytest.fixture
def posted_receipt(receipt):
    """Delivered by post, nothing missing, no temporary ID."""
    return dataclasses.replace(
        receipt,
        collection=DeliverByPost(address_masked=mask_address(FULL_ADDRESS), note="邮费到付"),
        missing_materials=(),
        materials_deadline=None,
        temporary_id_number="",
        bring_at_collection=(),
    )


@pytest.fixture
def pickup_slip():
    return dataclasses.replace(
        samples.pickup_slip(), name_masked=mask_name(FULL_NAME), id_number_masked=mask_id_number(FULL_ID)
    )


@pytest.fixture
def visit_slip():
    return dataclasses.replace(
        samples.visit_slip(),
        name=FULL_NAME,
        id_number_masked=mask_id_number(FULL_ID),
        phone=FULL_PHONE,
        address=FULL_ADDRESS,
    )
