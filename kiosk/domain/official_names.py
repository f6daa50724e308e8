"""The official Chinese names printed on the station's documents (receipts, slips, booking
confirmations): the application reasons, the seven commitments (docs/domain.md "Commitments") and the materials.
Screens use the translated labels of kiosk.labels instead."""

APPLICATION_REASONS = {
    "first": "首次申领",
    "renewal_expiry": "有效期满换领",
    "renewal_change": "信息变更换领",
    "damaged": "损坏换领",
    "lost": "丢失补领",
    "temporary": "临时居民身份证",
}
COMMITMENT_NAMES = {
    "immediate": "手续齐全立即办",
    "time_limited": "手续不全限时办",
    "home_visit": "行动不便上门办",
    "priority": "特殊群体优先办",
    "urgent": "要事急事特殊办",
    "registered": "客观原因登记办",
    "appointment": "假日期间预约办",
}
MATERIAL_NAMES = {
    "household_register": "户口簿",
    "old_card": "原居民身份证",
    "guardian_id": "监护人及其居民身份证",
    "residence_proof": "居住证或稳定就业、就学、居住证明",
    "commitment_letter": "承诺书",
    "photo": "相片",
    "exemption_certificate": "减免费用证明",
}


def printed_service(app_type: str) -> str:
    """业务类型 as printed: "居民身份证 · 丢失补领"; a temporary ID is a document of its own,
    printed as "临时居民身份证" alone."""
    if app_type == "temporary":
        return APPLICATION_REASONS["temporary"]
    return "居民身份证 · " + APPLICATION_REASONS.get(app_type, app_type)
