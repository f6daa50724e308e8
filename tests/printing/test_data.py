"""The document data refuses personal data that was not masked."""

from __future__ import annotations

import dataclasses

import pytest

from printing import samples

from .conftest import FULL_ID, FULL_PHONE


def test_an_unmasked_id_number_is_refused():
    with pytest.raises(ValueError, match="id_number_masked must be masked"):
        dataclasses.replace(samples.receipt(), id_number_masked=FULL_ID)
    with pytest.raises(ValueError, match="id_number_masked must be masked"):
        dataclasses.replace(samples.visit_slip(), id_number_masked=FULL_ID)


def test_an_unmasked_phone_is_refused():
    with pytest.raises(ValueError, match="phone_masked must be masked"):
        dataclasses.replace(samples.receipt(), phone_masked=FULL_PHONE)


def test_required_text_may_not_be_empty():
    with pytest.raises(ValueError, match="application_number is empty"):
        dataclasses.replace(samples.pickup_slip(), application_number=" ")
