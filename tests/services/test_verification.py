import copy
import json
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.domain.catalogue import ApplicationType, Material
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action, State
from kiosk.services import cases, verification
from kiosk.services.applications import submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.staff import Role, create_staff
from kiosk.services.verification import PackageRefused
from tests.conftest import JIANGXI_ID
from tests.helpers import photo_and_fee


def jiangxi_key(keys: verification.Keys) -> Ed25519PrivateKey:
    """The home province's key pair; its public half is trusted by the station."""
    key = Ed25519PrivateKey.generate()
    folder = keys.folder / "provinces"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "36.pub").write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return key


def answer(number: str, key: Ed25519PrivateKey, decision="passed", province="36") -> dict:
    payload = {
        "kind": "verification_answer",
        "application_number": number,
        "decision": decision,
        "province": province,
        "reason": "身份核验通过",
        "answered_at": "2026-11-25T10:00:00+08:00",
    }
    return verification.sign(payload, key)


def forward_a_case(database, station, keys_folder: Path, outbox: Path):
    """An out-of-province first application, approved and sent to its home province."""
    new = NewApplication(
        id_number=parse_id_number(JIANGXI_ID),
        app_type=ApplicationType.FIRST,
        registered_province="36",
        idempotency_key=uuid.uuid4().hex,
        name="赵六",
        phone="13912345678",
        held=frozenset({Material.HOUSEHOLD_REGISTER, Material.RESIDENCE_PROOF, Material.COMMITMENT_LETTER}),
    )
    application = submit_application(database, station, new, actor="kiosk")
    staff = create_staff(
        database,
        station_code="330402",
        username="zhang",
        display_name="张",
        role=Role.WINDOW,
        password="a long password",
    )
    cases.open_case(database, station, application.id, staff)
    photo_and_fee(database, station, application.id, staff)
    cases.act(database, station, application.id, Action.APPROVE, staff)
    keys = verification.Keys(keys_folder)
    path = verification.forward(database, station, application.id, staff, keys, outbox)
    return application, keys, path


@pytest.fixture
def forwarded(database, station, tmp_path):
    return forward_a_case(database, station, tmp_path / "keys", tmp_path / "outbox")


def test_the_request_package_is_signed_by_the_station(forwarded):
    application, keys, path = forwarded
    package = json.loads(path.read_text())
    station_key = serialization.load_pem_public_key(keys.station_public_pem().encode())
    payload = verification.verify(package, station_key)
    assert payload["application"]["number"] == application.number
    assert payload["applicant"]["id_number"] == JIANGXI_ID
    assert (keys.folder / "station.pem").stat().st_mode & 0o777 == 0o600


def test_a_passed_answer_sends_the_case_to_production(database, station, forwarded):
    application, keys, _path = forwarded
    updated = verification.import_answer(
        database, station, answer(application.number, jiangxi_key(keys)), keys, "staff:zhang"
    )
    assert updated.state == State.IN_PRODUCTION


def test_a_failed_answer_rejects_the_case(database, station, forwarded):
    application, keys, _path = forwarded
    failed = answer(application.number, jiangxi_key(keys), decision="failed")
    assert verification.import_answer(database, station, failed, keys, "staff:zhang").state == State.REJECTED


def test_a_tampered_package_is_refused_and_nothing_changes(database, station, forwarded):
    application, keys, _path = forwarded
    package = answer(application.number, jiangxi_key(keys), decision="failed")
    tampered = copy.deepcopy(package)
    tampered["payload"]["decision"] = "passed"
    with pytest.raises(PackageRefused) as refused:
        verification.import_answer(database, station, tampered, keys, "staff:zhang")
    assert refused.value.reason == "signature"
    from kiosk.services.applications import get_application

    assert get_application(database, application.id)[0].state == State.VERIFYING


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p.update(signature="not base64!"), "malformed"),
        (lambda p: p.update(format="something/else"), "malformed"),
        (lambda p: p["payload"].update(province="44"), "unknown_province"),
    ],
)
def test_malformed_and_unknown_packages_are_refused(database, station, forwarded, change, reason):
    application, keys, _path = forwarded
    package = answer(application.number, jiangxi_key(keys))
    change(package)
    with pytest.raises(PackageRefused) as refused:
        verification.import_answer(database, station, package, keys, "staff:zhang")
    assert refused.value.reason == reason


def test_a_key_from_another_province_is_not_trusted_for_this_case(database, station, forwarded):
    application, keys, _path = forwarded
    jiangxi_key(keys)
    guangdong = Ed25519PrivateKey.generate()
    (keys.folder / "provinces" / "44.pub").write_bytes(
        guangdong.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(PackageRefused) as refused:
        verification.import_answer(database, station, answer(application.number, guangdong, province="44"), keys, "x")
    assert refused.value.reason == "wrong_province"


def test_workers_making_the_station_key_together_agree_on_one(tmp_path):
    import threading

    keys = verification.Keys(tmp_path / "keys")
    barrier = threading.Barrier(8)
    seen: list[bytes] = []

    def first_use() -> None:
        barrier.wait()
        seen.append(verification.Keys(keys.folder).station_public_pem().encode())

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len(set(seen)) == 1
    assert [p.name for p in keys.folder.iterdir()] == ["station.pem"]  # no drafts left behind
    assert (keys.folder / "station.pem").stat().st_mode & 0o777 == 0o600
