"""Made-up documents of the demo station, for `python -m printing sample` and the benchmark.

Personal data here is invented and already masked, as callers must pass it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .data import BookingConfirmation, CollectAtStation, DeliverByPost, PickupSlip, Receipt, VisitSlip

STATION = "嘉兴市公安局南湖区分局新兴派出所"
STATION_ADDRESS = "浙江省嘉兴市南湖区新兴路 88 号 办证大厅"
HOTLINE = "0573-82000110"
HOURS = (
    "周一至周五 08:30–12:00、13:30–20:00",
    "周六 09:00–12:00、13:30–16:30；周日 09:00–12:00",
)
AT_STATION = CollectAtStation(address=STATION_ADDRESS, hours=HOURS)
ACCEPTED_AT = dt.datetime(2026, 11, 24, 10, 32, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def receipt() -> Receipt:
    """A renewal accepted at the kiosk, time-limited because the household register is missing."""
    return Receipt(
        application_number="330402-261124-0042",
        progress_url="http://127.0.0.1:8000/track/330402-261124-0042/q3Vx8LmN0aBcDe2F",
        name_masked="王*明",
        id_number_masked="330402********1236",
        service="居民身份证 · 有效期满换领",
        station=STATION,
        accepted_by="自助终端 K-01",
        accepted_at=ACCEPTED_AT,
        commitment="手续不全限时办",
        promise="材料补齐后 15 个工作日内制证完成",
        fee_yuan=Decimal("20"),
        payment_status="已缴费",
        expected_collection=dt.date(2026, 12, 15),
        collection=AT_STATION,
        phone_masked="138****5678",
        hotline=HOTLINE,
        bring_at_collection=("本回执", "旧居民身份证（领证时交回）"),
        missing_materials=("户口簿（原件）",),
        materials_deadline=dt.date(2026, 12, 8),
        temporary_id_number="LS330402-2611-0007",
        notes=("新证有效期十年，预计至2036年12月15日", "请到窗口采集双手拇指指纹", "领取新证时交回旧证"),
    )


def booking() -> BookingConfirmation:
    """A Saturday-morning appointment for a first application, booked from a phone."""
    return BookingConfirmation(
        code="40271853",
        service="居民身份证 · 首次申领",
        station=STATION,
        address=STATION_ADDRESS,
        starts=dt.datetime(2026, 11, 28, 9, 0, tzinfo=ACCEPTED_AT.tzinfo),
        ends=dt.datetime(2026, 11, 28, 10, 0, tzinfo=ACCEPTED_AT.tzinfo),
        kind="weekend",
        name_masked="李*",
        id_number_masked="330402********0025",
        phone_masked="139****0321",
        hotline=HOTLINE,
        manage_url="http://127.0.0.1:8000/book/manage",
        cancel_notice_hours=24,
        bring=("户口簿", "监护人居民身份证"),
    )


def receipt_by_post() -> Receipt:
    """A lost-card replacement accepted at the window, delivered by post."""
    return Receipt(
        application_number="330402-261124-0043",
        progress_url="http://127.0.0.1:8000/track/330402-261124-0043/Zr7kP2wQ9tYhUa4S",
        name_masked="欧阳*华",
        id_number_masked="360102********4327",
        service="居民身份证 · 丢失补领（跨省异地办理）",
        station=STATION,
        accepted_by="窗口 2 号 · 民警 张警官",
        accepted_at=ACCEPTED_AT + dt.timedelta(minutes=14),
        commitment="手续齐全立即办",
        promise="60 个工作日内制证并邮寄",
        fee_yuan=Decimal("40"),
        payment_status="已缴费",
        expected_collection=dt.date(2027, 2, 26),
        collection=DeliverByPost(
            address_masked="浙江省嘉兴市********", note="邮费到付，收件人凭回执签收", recipient_masked="欧阳*华"
        ),
        phone_masked="159****0321",
        hotline=HOTLINE,
    )


def pickup_slip() -> PickupSlip:
    return PickupSlip(
        application_number="330402-261124-0042",
        verification_code="LQ7K-3M9P",
        name_masked="王*明",
        id_number_masked="330402********1236",
        service="居民身份证 · 有效期满换领",
        station=STATION,
        collection=AT_STATION,
        expected_collection=dt.date(2026, 12, 15),
        issued_at=ACCEPTED_AT,
        hotline=HOTLINE,
        bring_at_collection=("本凭证", "旧居民身份证（领证时交回）"),
        notes=(
            "本人领取：出示本凭证，当场核验指纹。",
            "他人代领：代领人携带本凭证和本人居民身份证。",
            "证件自可领之日起保存 6 个月，逾期请致电咨询。",
        ),
    )


_RESIDENTS = (
    ("陈桂英", "330402********0423", "135 7123 4567", "浙江省嘉兴市南湖区新兴街道花园新村 12 幢 3 单元 401 室"),
    ("李建国", "330402********1017", "0573-8261 5520", "浙江省嘉兴市南湖区东栅街道"),
    (
        "周美兰",
        "330411********2541",
        "139 5733 1208",
        "浙江省嘉兴市南湖区新兴街道文昌路与中山东路交叉口东南侧嘉禾颐养院 2 号楼 1 层 108 房间"
        "（请从北门进入，门卫处登记）",
    ),
    ("赵德明", "330402********5733", "186 0573 9912", "浙江省嘉兴市南湖区解放街道勤俭路 56 弄 7 号 202 室"),
)


def visit_slip(stop: int = 0) -> VisitSlip:
    """The round's `stop`-th slip (from 0), cycling through a few made-up residents."""
    name, id_masked, phone, address = _RESIDENTS[stop % len(_RESIDENTS)]
    delivering = stop % 2 == 1
    start = 9 + stop % 8
    return VisitSlip(
        application_number=f"330402-261120-{stop + 1:04d}",
        purpose="上门送证（行动不便）" if delivering else "上门受理换领（行动不便）",
        name=name,
        id_number_masked=id_masked,
        address=address,
        phone=phone,
        station=STATION,
        officer="张警官（警号 031245）",
        visit_date=dt.date(2026, 11, 26),
        time_window=f"{start:02d}:00–{start + 1:02d}:00",
        collect=("旧居民身份证",) if delivering else ("旧居民身份证", "户口簿（核对后当场退还）", "双手拇指指纹"),
        hand_over=("新居民身份证",) if delivering else ("受理回执",),
        notes="老人听力不好，请提前电话联系家属。" if stop % 4 == 2 else "",
        verification_code=f"{40716253 + stop * 1117:08d}",  # as a real slip carries one to record the visit
    )


def visit_round(size: int = 6) -> list[VisitSlip]:
    return [visit_slip(stop) for stop in range(size)]
