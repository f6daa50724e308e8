"""How personal data is shown once it has been entered (docs/domain.md "ID number")."""


def mask_id_number(number: str) -> str:
    """`110105********002X`: the first six and the last four characters."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """`王*明`, `王*`, `J*** S****`: keep the first and (for three or more) last character."""
    name = name.strip()
    if not name:
        return ""
    if " " in name:  # Latin names: keep each word's initial
        return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """`138****5678`: the first three and last four digits of a mobile number."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_address(address: str, keep: int = 6) -> str:
    """Keep the start (province, city, district) and hide the street and number."""
    address = address.strip()
    if len(address) <= keep:
        return address
    return address[:keep] + "*" * min(len(address) - keep, 8)
