"""Out-of-province verification (数据跑腿): signed packages instead of the citizen travelling.

Forwarding a case writes a verification request (JSON: the application, the applicant,
the photo if any) signed with the station's Ed25519 key into the outbox folder; an
operator or a later integration carries it to the home province. Its answer comes back
as a package signed with that province's key, which must be in the trusted-keys folder;
a package whose signature does not match its content is refused, and nothing changes.

Folders under the instance folder: keys/station.pem (made on first use), keys/provinces/<code>.pub
(PEM public keys of the home provinces), outbox/verification/ (requests written here).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import select

from ..clock import utcnow
from ..db import Database
from ..domain.states import Action, State
from ..keyfiles import create_once, open_private, private_folder
from ..models import Applicant, Application, ApplicationMaterial, StaffUser
from .applications import record_transition
from .claims import claimed_case
from .station import StationContext

FORMAT = "kiosk-verification/1"


class PackageRefused(ValueError):
    """`reason`: malformed, signature, unknown_province, wrong_province, unknown_application, not_waiting."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def canonical(payload: dict) -> bytes:
    """The exact bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(payload: dict, key: Ed25519PrivateKey) -> dict:
    return {"format": FORMAT, "payload": payload, "signature": base64.b64encode(key.sign(canonical(payload))).decode()}


def verify(package: dict, key: Ed25519PublicKey) -> dict:
    """The payload of a package whose signature `key` confirms, else PackageRefused."""
    try:
        payload, signature = package["payload"], base64.b64decode(package["signature"], validate=True)
        if package.get("format") != FORMAT or not isinstance(payload, dict):
            raise PackageRefused("malformed")
    except (KeyError, TypeError, ValueError):
        raise PackageRefused("malformed") from None
    try:
        key.verify(signature, canonical(payload))
    except InvalidSignature:
        raise PackageRefused("signature") from None
    return payload


@dataclass(frozen=True)
class Keys:
    folder: Path  # <instance>/keys

    def station_key(self) -> Ed25519PrivateKey:
        """The station's signing key, generated (0600) on first use."""
        pem = create_once(
            self.folder / "station.pem",
            lambda: Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        return serialization.load_pem_private_key(pem, password=None)

    def station_public_pem(self) -> str:
        return (
            self.station_key()
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def province_key(self, code: str) -> Ed25519PublicKey:
        path = self.folder / "provinces" / f"{code}.pub"
        if not code.isdigit() or not path.exists():
            raise PackageRefused("unknown_province")
        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise PackageRefused("unknown_province")
        return key


def forward(
    db: Database,
    station: StationContext,
    application_id: int,
    staff: StaffUser,
    keys: Keys,
    outbox: Path,
    photo: bytes | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Send an approved out-of-province case for verification: sign the request into the outbox."""
    now = now or utcnow()
    with db.transaction() as session:
        application = claimed_case(session, station, application_id, staff, now)
        applicant = session.get(Applicant, application.applicant_id)
        materials = session.exec(
            select(ApplicationMaterial).where(ApplicationMaterial.application_id == application.id)
        ).all()
        payload = {
            "kind": "verification_request",
            "station": station.settings.code,
            "station_name": station.settings.name,
            "issued_at": now.isoformat(),
            "application": {
                "number": application.number,
                "type": application.app_type,
                "registered_province": application.registered_province,
                "materials": {m.material: m.held for m in materials},
            },
            "applicant": {
                "name": applicant.name,
                "id_number": applicant.id_number,
                "phone": applicant.phone,
            },
            "photo_jpeg_base64": base64.b64encode(photo).decode() if photo else None,
        }
        # The state changes first: an illegal move raises before anything is written.
        record_transition(
            session,
            application,
            Action.FORWARD_FOR_VERIFICATION,
            f"staff:{staff.username}",
            hotline=station.settings.hotline,
            reason=f"to province {application.registered_province}",
            now=now,
        )
        path = private_folder(outbox) / f"{application.number}.json"
        temporary = path.with_suffix(".part")
        with open_private(temporary, "w", encoding="utf-8") as out:
            out.write(json.dumps(sign(payload, keys.station_key()), ensure_ascii=False, indent=1))
        os.replace(temporary, path)  # an operator never picks up a half-written package
        return path


def import_answer(
    db: Database,
    station: StationContext,
    package: dict,
    keys: Keys,
    actor: str,
    application_id: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Apply a home province's signed answer: passed -> production, failed -> rejected.
    With `application_id`, the answer must be for that case."""
    now = now or utcnow()
    claimed = package.get("payload", {}) if isinstance(package, dict) else {}
    province = str(claimed.get("province", "")) if isinstance(claimed, dict) else ""
    payload = verify(package, keys.province_key(province))
    if payload.get("kind") != "verification_answer" or payload.get("decision") not in ("passed", "failed"):
        raise PackageRefused("malformed")
    with db.transaction() as session:
        application = session.exec(
            select(Application).where(Application.number == payload.get("application_number")).with_for_update()
        ).first()
        if application is None or application.station_id != station.id:
            raise PackageRefused("unknown_application")
        if application_id is not None and application.id != application_id:
            raise PackageRefused("unknown_application")  # the answer is for another case
        if application.registered_province != province:
            raise PackageRefused("wrong_province")
        if application.state != State.VERIFYING.value:
            raise PackageRefused("not_waiting")
        action = Action.VERIFICATION_PASSED if payload["decision"] == "passed" else Action.REJECT
        record_transition(
            session,
            application,
            action,
            actor,
            hotline=station.settings.hotline,
            reason=f"province {province}: {payload.get('reason', '')}"[:500],
            # The home province could not confirm who the person is or where they are registered.
            refusal_reason="identity" if action is Action.REJECT else None,
            now=now,
        )
        return application
