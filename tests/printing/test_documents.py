"""The documents read back from their PDFs: fields, masking, QR codes and page sizes."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.domain.masking import mask_id_number, mask_phone
from printing import (
    Paper,
    RoundLayout,
    pickup_slip_pdf,
    receipt_pdf,
    samples,
    visit_round_pdf,
    visit_slip_pdf,
)

from .conftest import FULL_ADDRESS, FULL_ID, FULL_NAME, FULL_PHONE
from .pdf_tools import blank_margins_mm, page_texts, qr_codes, render_pages, size_mm, squeezed, symbol_width_mm

DPI = 300
A4_MM = (210, 297)


def assert_masked(text: str) -> None:
    text = squeezed(text)
    for secret in (FULL_ID, FULL_ID[6:14], FULL_PHONE, FULL_NAME, squeezed(FULL_ADDRESS)):
        assert secret not in text


@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.A4])
def test_receipt_shows_every_field_of_domain_7(receipt, paper):
    [text] = page_texts(receipt_pdf(receipt, paper))
    flat = squeezed(text)
    for expected in (
        "居民身份证受理回执",
        receipt.application_number,
        "王*明",
        mask_id_number(FULL_ID),
        "居民身份证·有效期满换领",
        receipt.station,
        "自助终端K-01",
        "2026年11月24日10:32",
        "手续不全限时办",
        "材料补齐后15个工作日内制证完成",
        "20.00元（已缴费）",
        "2026年12月15日（星期二）",  # expected collection
        squeezed(samples.STATION_ADDRESS),
        "周一至周五08:30–12:00、13:30–20:00",
        mask_phone(FULL_PHONE),
        samples.HOTLINE,
        "旧居民身份证（领证时交回）",
        "待补正材料",  # the window's word for what is still to bring
        "户口簿（原件）",  # missing material ...
        "请于2026年12月8日（星期二）前补交",  # ... and its deadline
        "临时居民身份证已发放，编号LS330402-2611-0007",  # the official name
    ):
        assert expected in flat, expected
    assert_masked(text)


def test_receipt_by_post_shows_the_masked_address(posted_receipt):
    [text] = page_texts(receipt_pdf(posted_receipt))
    flat = squeezed(text)
    assert "邮寄送达" in flat
    assert "浙江省嘉兴市********" in flat
    assert "邮费到付" in flat
    for absent in ("待补正材料", "临时居民身份证", "领证时请携带", "领取地点"):
        assert absent not in flat
    assert_masked(text)


@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.A4])
def test_receipt_prints_its_notes_and_a_posted_cards_recipient(posted_receipt, paper):
    receipt = dataclasses.replace(
        posted_receipt,
        collection=dataclasses.replace(posted_receipt.collection, recipient_masked="李*红"),
        notes=("新证有效期十年，预计至2036年12月15日", "旧证于受理时在窗口交回"),
    )
    [text] = page_texts(receipt_pdf(receipt, paper))
    flat = squeezed(text)
    assert "收件人" in flat and "李*红" in flat
    assert "新证有效期十年，预计至2036年12月15日旧证于受理时在窗口交回" in flat  # one under the other


def test_roll_receipt_is_80_mm_wide_and_as_tall_as_its_content(receipt, tmp_path):
    [page] = render_pages(receipt_pdf(receipt, Paper.ROLL_80MM), tmp_path, DPI)
    width, height = size_mm(page, DPI)
    assert width == pytest.approx(80, abs=0.2)
    assert 120 < height < 400
    top, bottom = blank_margins_mm(page, DPI)
    assert top < 8 and bottom < 10  # nothing but the margins above and below the content


def test_fewer_fields_make_a_shorter_roll(receipt, posted_receipt):
    def height(document):
        return float(document.split(b"/MediaBox [")[1].split(b"]")[0].split()[3])

    assert height(receipt_pdf(posted_receipt)) < height(receipt_pdf(receipt))


@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.A4])
def test_receipt_qr_code_carries_the_progress_url(receipt, paper, tmp_path):
    [page] = render_pages(receipt_pdf(receipt, paper), tmp_path, DPI)
    [code] = qr_codes(page)
    assert code.text == receipt.progress_url
    assert code.ec_level == "M"
    assert symbol_width_mm(code, DPI) >= 20


def test_a4_receipt_fits_one_page(receipt, tmp_path):
    pages = render_pages(receipt_pdf(receipt, Paper.A4), tmp_path, 50)
    assert [size_mm(page, 50) for page in pages] == [pytest.approx(A4_MM, abs=0.6)]


def test_pickup_slip(pickup_slip, tmp_path):
    pdf = pickup_slip_pdf(pickup_slip)
    [text] = page_texts(pdf)
    flat = squeezed(text)
    for expected in (
        "居民身份证领取凭证",
        pickup_slip.verification_code,
        pickup_slip.application_number,
        "王*明",
        mask_id_number(FULL_ID),
        "2026年12月15日（星期二）",
        squeezed(samples.STATION_ADDRESS),
        "本凭证",
        "他人代领",
    ):
        assert expected in flat, expected
    assert_masked(text)
    [page] = render_pages(pdf, tmp_path, DPI)
    assert size_mm(page, DPI) == pytest.approx(A4_MM, abs=0.2)
    [code] = qr_codes(page)
    assert code.text == pickup_slip.verification_code
    assert symbol_width_mm(code, DPI) >= 20


def test_pickup_slip_on_roll_paper(pickup_slip, tmp_path):
    [page] = render_pages(pickup_slip_pdf(pickup_slip, Paper.ROLL_80MM), tmp_path, DPI)
    assert size_mm(page, DPI)[0] == pytest.approx(80, abs=0.2)
    [code] = qr_codes(page)
    assert code.text == pickup_slip.verification_code


@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.A4])
def test_booking_confirmation_carries_the_code_the_time_and_what_to_bring(paper, tmp_path):
    from printing import booking_confirmation_pdf

    booking = samples.booking()
    pdf = booking_confirmation_pdf(booking, paper)
    [text] = page_texts(pdf)
    flat = squeezed(text)
    for expected in ("预约凭证", booking.code, "2026年11月28日（星期六）", "09:00", "10:00", "（周末预约）"):
        assert expected in flat, expected
    for expected in ("首次申领", "户口簿", "李*"):
        assert expected in flat, expected
    assert booking.manage_url in flat and "24" in flat  # how to change or cancel, and how early
    assert_masked(text)
    assert "延时" not in flat  # a Saturday morning is a weekend appointment, not extended hours
    [page] = render_pages(pdf, tmp_path, DPI)
    assert size_mm(page, DPI)[0] == pytest.approx(80 if paper is Paper.ROLL_80MM else A4_MM[0], abs=0.3)
    [code] = qr_codes(page)
    assert code.text == booking.code


def test_visit_slip_gives_the_officer_what_the_visit_needs(visit_slip, tmp_path):
    pdf = visit_slip_pdf(visit_slip)
    [text] = page_texts(pdf)
    flat = squeezed(text)
    for expected in (
        "居民身份证上门服务单",
        visit_slip.application_number,
        FULL_NAME,
        mask_id_number(FULL_ID),
        squeezed(FULL_ADDRESS),  # the officer has to find the place and call ahead
        FULL_PHONE,
        "张警官",
        "2026年11月26日（星期四）09:00–10:00",
        "户口簿（核对后当场退还）",  # to collect
        "受理回执",  # to hand over
        "群众签名",
        "旧证回收",
    ):
        assert expected in flat, expected
    assert FULL_ID not in flat
    [page] = render_pages(pdf, tmp_path, 50)
    assert size_mm(page, 50) == pytest.approx(A4_MM, abs=0.6)


def test_a_long_address_wraps_inside_the_slip(visit_slip):
    address = "浙江省嘉兴市南湖区新兴街道文昌路与中山东路交叉口东南侧嘉禾颐养院 2 号楼 1 层 108 房间（请从北门进入）"
    [text] = page_texts(visit_slip_pdf(dataclasses.replace(visit_slip, address=address)))
    address_lines = [line for line in text.splitlines() if "颐养院" in line or "北门" in line]
    assert len(address_lines) >= 2  # wrapped, not run off the page
    assert squeezed(address) in squeezed(text)


def test_round_on_cut_sheets_keeps_round_order_two_to_a_sheet(tmp_path):
    slips = samples.visit_round(5)
    pdf = visit_round_pdf(slips, RoundLayout.CUT_SHEETS)
    texts = page_texts(pdf)
    assert len(texts) == 3
    flat = squeezed("".join(texts))
    positions = [flat.index(f"第{stop}/5户") for stop in range(1, 6)]
    assert positions == sorted(positions)
    numbers = [flat.index(slip.application_number) for slip in slips]
    assert numbers == sorted(numbers)
    assert all("沿虚线剪开" in text for text in texts[:2])  # a cut line between the two slips
    assert "沿虚线剪开" not in texts[2]  # the last sheet holds one slip
    pages = render_pages(pdf, tmp_path, 50)
    assert all(size_mm(page, 50) == pytest.approx(A4_MM, abs=0.6) for page in pages)


def test_round_one_slip_per_page():
    slips = samples.visit_round(4)
    texts = page_texts(visit_round_pdf(slips, RoundLayout.ONE_PER_PAGE))
    assert len(texts) == 4
    for stop, (slip, text) in enumerate(zip(slips, texts, strict=True), start=1):
        assert slip.application_number in text
        assert f"第{stop}/4户" in squeezed(text)


def test_slips_too_tall_for_half_a_sheet_get_a_page_each():
    long_notes = "；".join(f"第 {n} 条注意事项：上门前电话确认家中有人，并核对户口簿信息" for n in range(1, 30))
    slips = [dataclasses.replace(slip, notes=long_notes) for slip in samples.visit_round(3)]
    texts = page_texts(visit_round_pdf(slips, RoundLayout.CUT_SHEETS))
    assert len(texts) == 3
    assert all("沿虚线剪开" not in text for text in texts)
    assert all("第29条注意事项" in squeezed(text) for text in texts)  # nothing cut off


def test_a_round_needs_slips():
    with pytest.raises(ValueError, match="at least one slip"):
        visit_round_pdf([])


def test_a_round_carries_each_slips_code_and_the_pickup_slips(visit_slip, pickup_slip):
    coded = [dataclasses.replace(visit_slip, verification_code=f"1234567{n}") for n in range(2)]
    assert len(page_texts(visit_round_pdf(coded))) == 1  # two slips on one cut sheet
    pages = page_texts(visit_round_pdf(coded, pickups=[pickup_slip]))
    text = "".join(pages)
    assert len(pages) == 3
    assert "12345670" in text and "12345671" in text and pickup_slip.verification_code in text
