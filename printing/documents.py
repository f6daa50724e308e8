"""The printed documents: data in, PDF bytes out.

Receipts and pickup slips come on 80 mm roll paper (the kiosk's thermal printer: pass the
backend's `paper`) or on A4; home-visit slips and a round's batch of them on A4.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from enum import Enum

from reportlab.lib.units import mm

from .blocks import (
    Block,
    Box,
    Boxes,
    Columns,
    Field,
    Fields,
    Framed,
    Heading,
    ItemList,
    Marker,
    QrPanel,
    Rule,
    SplitLine,
    Stack,
    TextBlock,
    title,
)
from .data import BookingConfirmation, Collection, DeliverAtHome, DeliverByPost, PickupSlip, Receipt, VisitSlip
from .fonts import load_typeface
from .pages import render, render_cut_sheets
from .paper import Paper, PaperSize
from .text import MUTED, Align

FontPath = str | os.PathLike[str] | None
_WEEKDAYS = "一二三四五六日"

# The pickup slip's line beside its code, by where the card is handed over (at home: True).
_PICKUP_HINTS = {
    False: "领证时出示本凭证，窗口扫码核验\nShow this slip at the window",
    True: "民警上门送证时核验本凭证\nThe officer checks this slip at your door",
}


class RoundLayout(Enum):
    ONE_PER_PAGE = "one per page"
    CUT_SHEETS = "cut sheets"  # as many slips to an A4 sheet as fit, with lines to cut along


def receipt_pdf(receipt: Receipt, paper: Paper = Paper.ROLL_80MM, font_path: FontPath = None) -> bytes:
    """受理回执 (docs/domain.md "The receipt"): the application number and its QR code to the progress page first."""
    return render([_receipt_blocks(receipt, paper.value)], paper.value, load_typeface(font_path), "受理回执")


def pickup_slip_pdf(slip: PickupSlip, paper: Paper = Paper.A4, font_path: FontPath = None) -> bytes:
    """领取凭证: the verification code and its QR code first, then where and when to collect."""
    return render([_pickup_blocks(slip, paper.value)], paper.value, load_typeface(font_path), "领取凭证")


def booking_confirmation_pdf(
    confirmation: BookingConfirmation, paper: Paper = Paper.ROLL_80MM, font_path: FontPath = None
) -> bytes:
    """预约凭证: the booking code and its QR code (scanned at the kiosk to check in) first."""
    return render([_booking_blocks(confirmation, paper.value)], paper.value, load_typeface(font_path), "预约凭证")


def visit_slip_pdf(slip: VisitSlip, font_path: FontPath = None) -> bytes:
    """One home-visit slip on an A4 page."""
    paper = Paper.A4.value
    return render([_visit_blocks(slip, paper)], paper, load_typeface(font_path), "上门服务单")


def visit_round_pdf(
    slips: Sequence[VisitSlip],
    layout: RoundLayout = RoundLayout.CUT_SHEETS,
    font_path: FontPath = None,
    pickups: Sequence[PickupSlip] = (),
) -> bytes:
    """An officer's round: its slips in the order given (the round's order), numbered "stop n of N",
    followed by the pickup slips of the cards handed over on the round. A pickup slip needs a
    whole page, so a round with pickups prints one document per page."""
    if not slips:
        raise ValueError("a round needs at least one slip")
    paper = Paper.A4.value
    face = load_typeface(font_path)
    documents = [_visit_blocks(slip, paper, stop=(index, len(slips))) for index, slip in enumerate(slips, start=1)]
    documents += [_pickup_blocks(pickup, paper) for pickup in pickups]
    if layout is RoundLayout.CUT_SHEETS and not pickups:
        return render_cut_sheets(documents, paper, face, "上门服务单")
    return render(documents, paper, face, "上门服务单")


def _receipt_blocks(receipt: Receipt, paper: PaperSize) -> list[Block]:
    application = [
        Field("申请人", receipt.name_masked, strong=True),
        Field("身份证号", receipt.id_number_masked),
        Field("业务类型", receipt.service),
        Field("受理单位", receipt.station),
        Field("受理方式", receipt.accepted_by),
        Field("受理时间", format_datetime(receipt.accepted_at)),
    ]
    if receipt.temporary_id_number:
        application.append(Field("临时居民身份证", f"已发放，编号 {receipt.temporary_id_number}"))
    blocks: list[Block] = [
        *_masthead(receipt.station, "居民身份证受理回执", "Resident ID Card · Application Receipt", paper),
        QrPanel(
            receipt.progress_url,
            paper.qr,
            label="申请编号 Application No.",
            code=receipt.application_number,
            hint="扫码查询办理进度\nScan to track progress",
            text_size=paper.body,
        ),
        _heading("申请信息", "Application", paper),
        _fields(paper, application),
        _heading("办理承诺", "Commitment", paper),
        _fields(
            paper,
            [
                Field("承诺事项", receipt.commitment),
                Field("承诺内容", receipt.promise),
                Field("费用", f"{receipt.fee_yuan:.2f} 元（{receipt.payment_status}）"),
                Field("预计领证", format_date(receipt.expected_collection), strong=True),
            ],
        ),
    ]
    if receipt.missing_materials:
        deadline = receipt.materials_deadline
        blocks.append(
            Framed(
                Stack(
                    [
                        TextBlock("待补正材料 Missing materials", paper.body, bold=True, space_after=2),
                        ItemList(receipt.missing_materials, paper.body),
                        TextBlock(
                            receipt.materials_note
                            or (f"请于{format_date(deadline)}前补交。" if deadline else "请尽快补交。"),
                            paper.body,
                            bold=True,
                            space_after=0,
                        ),
                    ]
                ),
                padding=paper.body * 0.7,
            )
        )
    contact = [Field("联系电话", receipt.phone_masked), Field("咨询电话", receipt.hotline)]
    return [
        *blocks,
        _heading("领取方式", "Collection", paper),
        _fields(paper, [*_collection_fields(receipt.collection), *contact]),
        *_bring_at_collection(receipt.bring_at_collection, paper),
        *_notes(receipt.notes, paper),
        *_footer(receipt.footer, paper),
    ]


def _pickup_blocks(slip: PickupSlip, paper: PaperSize) -> list[Block]:
    blocks: list[Block] = [
        *_masthead(slip.station, "居民身份证领取凭证", "Resident ID Card · Collection Slip", paper),
        QrPanel(
            slip.verification_code,
            paper.qr,
            label="领取验证码 Verification code",
            code=slip.verification_code,
            hint=_PICKUP_HINTS[isinstance(slip.collection, DeliverAtHome)],
            text_size=paper.body,
        ),
        _fields(
            paper,
            [
                Field("申请编号", slip.application_number, strong=True),
                Field("申请人", slip.name_masked, strong=True),
                Field("身份证号", slip.id_number_masked),
                Field("业务类型", slip.service),
                Field("预计可领", format_date(slip.expected_collection), strong=True),
                *_collection_fields(slip.collection),
                Field("咨询电话", slip.hotline),
                Field("开具时间", format_datetime(slip.issued_at)),
            ],
        ),
        *_bring_at_collection(slip.bring_at_collection, paper),
    ]
    blocks += _notes(slip.notes, paper)
    blocks += _footer("本凭证仅限领取上述证件使用，遗失请及时联系受理单位。", paper)
    return blocks


# What kind of time the appointment is (the kiosk's tags on days and times); office hours have none.
_SLOT_KINDS = {"holiday": "节假日预约", "weekend": "周末预约", "evening": "晚间延时服务", "early": "早间延时服务"}


def _booking_blocks(booking: BookingConfirmation, paper: PaperSize) -> list[Block]:
    when = f"{format_date(booking.starts.date())} {booking.starts:%H:%M}–{booking.ends:%H:%M}"
    if booking.kind:
        when += f"（{_SLOT_KINDS[booking.kind]}）"
    return [
        *_masthead(booking.station, "居民身份证办理预约凭证", "ID Card · Appointment", paper),
        QrPanel(
            booking.code,
            paper.qr,
            label="预约码 Booking code",
            code=booking.code,
            hint="到达后在自助终端扫码签到\nScan at the kiosk to check in",
            text_size=paper.body,
        ),
        _fields(
            paper,
            [
                Field("预约时间", when, strong=True),
                Field("办理事项", booking.service),
                Field("办理地点", f"{booking.station}\n{booking.address}"),
                Field("预约人", booking.name_masked, strong=True),
                Field("身份证号", booking.id_number_masked),
                Field("联系电话", booking.phone_masked),
                Field("咨询电话", booking.hotline),
            ],
        ),
        *([_heading("请携带", "Please bring", paper), ItemList(booking.bring, paper.body)] if booking.bring else []),
        TextBlock(
            f"如需改约或取消，请至少提前 {booking.cancel_notice_hours} 小时凭预约码和手机号后四位办理："
            f"{booking.manage_url}",
            paper.small,
        ),
        *_footer("请按时到达并签到；超过宽限时间未签到视为爽约。", paper),
    ]


def _visit_blocks(slip: VisitSlip, paper: PaperSize, stop: tuple[int, int] | None = None) -> list[Block]:
    size = paper.body * 0.9  # compact: two slips fit on an A4 sheet
    when = format_date(slip.visit_date) + (f" {slip.time_window}" if slip.time_window else "")
    stop_text = f"第 {stop[0]} / {stop[1]} 户  Stop {stop[0]} of {stop[1]}" if stop else ""
    blocks: list[Block] = [
        SplitLine(slip.station, stop_text, paper.small),
        title("居民身份证上门服务单", "Home Visit Slip", paper.title * 0.85, paper.small),
        Columns(
            [
                Fields(rows, size, 20 * mm, ruled=True)
                for rows in (
                    [
                        Field("申请人", slip.name, strong=True),
                        Field("身份证号", slip.id_number_masked),
                        Field("联系电话", slip.phone, strong=True),
                        Field("住址", slip.address),
                    ],
                    [
                        Field("申请编号", slip.application_number, strong=True),
                        Field("服务事项", slip.purpose),
                        Field("上门时间", when),
                        Field("承办民警", slip.officer),
                    ],
                )
            ]
        ),
    ]
    checklists = [
        Stack([_heading(heading, subtitle, paper, size), ItemList(items, size, Marker.TICK_BOX)])
        for heading, subtitle, items in (
            ("需收取", "To collect", slip.collect),
            ("需交付", "To hand over", slip.hand_over),
        )
        if items
    ]
    if slip.verification_code:
        # Beside the checklists, not under them: two slips with their codes fit on one A4 sheet.
        checklists.append(
            QrPanel(
                slip.verification_code,
                paper.qr * 0.5,
                label="登记结果时扫码",
                code=slip.verification_code,
                hint="Scan to record the visit",
                text_size=size,
            )
        )
    if checklists:
        blocks.append(Columns(checklists))
    if slip.notes:
        blocks.append(TextBlock(f"备注：{slip.notes}", size))
    blocks.append(
        Boxes(
            [
                Box("群众签名 Citizen's signature", footer="日期 Date：        年      月      日"),
                Box("旧证回收 Old card returned", ticks=("已收回 returned", "未收回 not returned")),
            ],
            height=26 * mm,
            size=size,
        )
    )
    return blocks


def _masthead(station: str, name: str, subtitle: str, paper: PaperSize) -> list[Block]:
    return [
        TextBlock(station, paper.small, color=MUTED, align=Align.CENTER, space_after=2),
        title(name, subtitle, paper.title, paper.small),
        Rule(space=3),
    ]


def _heading(text: str, subtitle: str, paper: PaperSize, size: float | None = None) -> Heading:
    return Heading(text, subtitle, size or paper.body * 1.05)


def _fields(paper: PaperSize, rows: Sequence[Field]) -> Fields:
    """Label and value rows in this paper's style: a ruled form table on A4, plain rows on a roll."""
    on_roll = paper.height is None
    return Fields(rows, paper.body, 17 * mm if on_roll else 30 * mm, ruled=not on_roll)


def _collection_fields(collection: Collection) -> list[Field]:
    if isinstance(collection, DeliverByPost):
        rows = [Field("领取方式", "邮寄送达 By post"), Field("收件地址", collection.address_masked)]
        rows += [Field("收件人", collection.recipient_masked)] if collection.recipient_masked else []
        return rows + ([Field("说明", collection.note)] if collection.note else [])
    if isinstance(collection, DeliverAtHome):
        return [
            Field("领取方式", "民警上门送证 Delivered at home"),
            Field("送证地址", collection.address_masked),
            Field("办公时间", "\n".join(collection.hours)),
        ]
    return [
        Field("领取方式", "到受理单位领取 At the station"),
        Field("领取地点", collection.address),
        Field("办公时间", "\n".join(collection.hours)),
    ]


def _bring_at_collection(items: Sequence[str], paper: PaperSize) -> list[Block]:
    if not items:
        return []
    return [_heading("领证时请携带", "Bring at collection", paper), ItemList(items, paper.body)]


def _notes(notes: Sequence[str], paper: PaperSize) -> list[Block]:
    """The card's and the visit's facts, one a line in the reader's language; in small type on A4,
    where the receipt stays one page."""
    if not notes:
        return []
    return [ItemList(notes, paper.small if paper.height else paper.body)]


def _footer(text: str, paper: PaperSize) -> list[Block]:
    return [Rule(dashed=True, space=4), TextBlock(text, paper.small, color=MUTED, align=Align.CENTER)]


def format_date(day: dt.date) -> str:
    """`2026年12月15日（星期二）`"""
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS[day.weekday()]}）"


def format_datetime(moment: dt.datetime) -> str:
    """`2026年11月24日 10:32`, in the time zone `moment` carries."""
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
