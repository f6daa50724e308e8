"""The ID photo at the kiosk's camera (the wizard's photo step when the station's
`photo_capture` is "kiosk"), and the photo staff see with the application.

The capture page shows the camera, mirrored, under the GA 461 guides; `photo.js` posts a
small frame a few times a second for live hints, and each shot (the full frame) for the
checks and the cut ID photo. The compliant shots wait as files under `<instance>/photos/`,
named from the wizard's answers and shown only to the same wizard session; the citizen picks
one (or asks for the window), and `submit_application` keeps it with the application.
"""

from __future__ import annotations

import json
import re
import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from photo import GA461, Report, UnreadableImage

from .. import i18n
from ..domain import wizard as flow
from ..domain.access import Permission
from ..services import operations, photos
from ..services import wizard as store
from ..services.station import StationContext
from . import limiter
from . import wizard_session as citizen
from .common import db, from_kiosk_terminal, photo_store, requires, station, station_application
from .partial import whole_page_load

bp = Blueprint("photo", __name__)
staff_bp = Blueprint("staff_photos", __name__)

MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # a camera frame as JPEG is far smaller
MAX_SHOTS = 5  # shots per wizard session; then the window takes the photo
SHOWN = 3  # compliant shots kept for the citizen to choose from
# Where the photo's frame lies in the camera picture, as shares of the picture's height: the
# guides are drawn there, so a head inside them gives a face of a size the checks accept.
PREVIEW_BOX = {"top": 0.075, "height": 0.76}
_CAMERA_PROBLEM = re.compile(r"[A-Za-z]{0,40}")  # a DOMException name: NotFoundError, NotAllowedError...
MAX_STATUS_BYTES = 1024  # a camera report is a few dozen


def _wizard() -> tuple[StationContext, dict | None]:
    """The citizen's answers when they may be at the photo step with the kiosk's camera."""
    context = station()
    if context.settings.photo_capture != "kiosk":
        return context, None
    answers = citizen.current_answers(context)
    refused = citizen.refusal(answers, context) is not None
    if not answers or not flow.may_show("photo", answers, context.settings, refused=refused):
        return context, None
    return context, answers


def _next_url(answers: dict, context: StationContext) -> str:
    return citizen.first_open_url(answers, context, refused=citizen.refusal(answers, context) is not None)


def _error(status: int, code: str, message: str):
    return jsonify({"ok": False, "error": code, "message": message}), status


def _not_in_wizard():
    return _error(403, "no_session", _("This page was open too long. Please start again."))


def _upload() -> bytes | tuple:
    """The posted picture (the raw request body), or the JSON error to answer."""
    if (request.content_length or 0) > MAX_UPLOAD_BYTES:
        return _error(413, "too_large", _("The picture is too large."))
    data = request.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _error(413, "too_large", _("The picture is too large."))
    if not data:
        return _error(400, "empty", _("No picture arrived. Please try again."))
    return data


def _unreadable():
    return _error(400, "unreadable", _("The picture could not be read. Please try again."))


def _messages(report: Report, frame_scale: float = 1.0) -> list[str]:
    """The advice for the failed checks, in the citizen's language, each once.

    A hint frame is a reduced copy: its face is `frame_scale` times smaller than the camera's,
    so "move closer" is judged on the real size.
    """
    lang = i18n.select_locale()
    found: list[str] = []
    for check in report.failures:
        if check.name == "face_size" and check.value is not None and check.limit[0] is not None:
            if check.value * frame_scale >= check.limit[0] and (
                check.limit[1] is None or check.value <= check.limit[1]
            ):
                continue
        text = check.message(lang)
        if text and text not in found:
            found.append(text)
    return found


def _shot_json(shot: store.Shot) -> dict:
    return {"id": shot.id, "url": url_for("photo.shot", shot_id=shot.id)}


# --- the capture page ------------------------------------------------------------------


@bp.get("/apply/photo/camera")
def camera():
    context, answers = _wizard()
    if answers is None:
        return redirect(url_for("kiosk.step", name="photo"))
    if whole_page := whole_page_load():
        return whole_page  # the camera starts with its page and stops when the page is left
    taken = int(answers.get("photo_count", 0))
    return render_template(
        "photo/camera.html",
        step="photo",
        back="photo",
        errors={},
        settings=context.settings,
        overlay={
            "photo": {"width": GA461.width_px, "height": GA461.height_px},
            "guides": GA461.to_dict()["guides_normalised"],
            "box": PREVIEW_BOX,
        },
        shots=store.shots(answers),
        remaining=max(0, MAX_SHOTS - taken),
        max_shots=MAX_SHOTS,
    )


def _hints_client() -> str:
    """Hints are counted per client and wizard session: one kiosk's camera page, not its neighbours'."""
    return f"{request.remote_addr}/{session.get('wizard', '')}"


@bp.post("/apply/photo/hints")
# photo.js asks about 3 times a second; anything much faster is not a camera page. A refused hint
# is skipped by the page (the next one comes a third of a second later).
@limiter.limit(lambda: current_app.config["HINTS_RATE_LIMIT"], key_func=_hints_client)
def hints():
    """Live advice on a reduced camera frame: {"ok", "face", "messages"} (`face`: whether a face
    is in view, so the page offers the shutter only then); nothing is kept here. The
    `X-Face-Track` header says where the face was: photo.js sends it back with the next frame."""
    _context, answers = _wizard()
    if answers is None:
        return _not_in_wizard()
    data = _upload()
    if not isinstance(data, bytes):
        return data
    _note_camera(operations.CAMERA_WORKING)
    try:
        scale = min(max(float(request.headers.get("X-Frame-Scale", "1")), 1.0), 8.0)
    except ValueError:
        scale = 1.0
    try:
        hint = photos.check_frame(data, request.headers.get("X-Face-Track"))
    except UnreadableImage:
        return _unreadable()
    messages = _messages(hint.report, scale)
    response = jsonify({"ok": not messages, "face": hint.report.face_box is not None, "messages": messages})
    if hint.track:
        response.headers["X-Face-Track"] = hint.track
    return response


@bp.post("/apply/photo/camera-status")
def camera_status():
    """photo.js says whether the camera started (`working`) or not (`no_camera`, with the
    browser's reason), for /healthz."""
    _context, answers = _wizard()
    if answers is None:
        return _not_in_wizard()
    body = request.stream.read(MAX_STATUS_BYTES + 1)
    try:
        report = json.loads(body) if len(body) <= MAX_STATUS_BYTES else None
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        report = None
    state, reason = (report.get("state"), report.get("reason", "")) if isinstance(report, dict) else (None, "")
    if state not in operations.CAMERA_STATES or not isinstance(reason, str) or not _CAMERA_PROBLEM.fullmatch(reason):
        return jsonify({"ok": False, "error": "invalid"}), 400
    _note_camera(state, reason)
    return jsonify({"ok": True})


def _note_camera(state: str, reason: str = "") -> None:
    # Only the station's terminals: a phone in the wizard says nothing about the kiosk cameras.
    if from_kiosk_terminal():
        operations.record_camera(db(), station().id, request.remote_addr, state, reason)


@bp.post("/apply/photo/shots")
def take():
    """One shot (the full camera frame, JPEG): checked, and the ID photo cut from it kept as a
    candidate when it passes. At most MAX_SHOTS per session; with none usable by then, the
    window takes the photo."""
    context, answers = _wizard()
    if answers is None:
        return _not_in_wizard()
    taken = int(answers.get("photo_count", 0))
    if taken >= MAX_SHOTS:
        return _error(409, "limit", _("No more photos can be taken here. Please have your photo taken at the window."))
    data = _upload()
    if not isinstance(data, bytes):
        return data
    try:
        shot = photos.take_shot(data)
    except UnreadableImage:
        return _unreadable()

    named = store.photo_files(answers)
    answers["photo_count"] = taken = taken + 1
    shots = store.shots(answers)
    body: dict = {"ok": shot.ok, "messages": _messages(shot.report), "remaining": MAX_SHOTS - taken}
    new_photo = None
    if shot.ok:
        new_photo = (photos.new_name(), shot.jpeg)
        entry = store.Shot(id=secrets.token_hex(8), file=new_photo[0], report=shot.report.to_dict())
        shots.append(entry)
        chosen = store.chosen_shot(answers)
        while len(shots) > SHOWN:  # the oldest goes (never the one already chosen)
            oldest = next(s for s in shots if chosen is None or s.file != chosen.file)
            shots.remove(oldest)
        body["shot"] = _shot_json(entry)
        body["shots"] = [_shot_json(s) for s in shots]
    store.set_shots(answers, shots)
    if taken >= MAX_SHOTS and not shots and store.photo_choice(answers) is None:
        store.set_photo_choice(answers, store.AT_WINDOW)  # flagged: staff take the photo
        body["window"] = True
        body["message"] = _("No more photos can be taken here. Please have your photo taken at the window.")
        body["next"] = _next_url(answers, context)
    # Photos change only with the answers that name them: the new one is kept with them, in their
    # transaction, and the oldest goes only once they are saved.
    try:
        citizen.save(answers, new_photo)
    except OSError as error:  # e.g. the disk is full: nothing was kept, the shot does not count
        current_app.logger.error("photo not saved: %s", error)
        message = _("The photo could not be saved. Please try again, or have your photo taken at the window.")
        return _error(503, "not_saved", message)
    citizen.discard_unnamed_photos(named, answers)
    return jsonify(body)


@bp.get("/apply/photo/shots/<shot_id>")
def shot(shot_id: str):
    """A candidate's ID photo, to this wizard session only."""
    _context, answers = _wizard()
    if answers is None:
        abort(404)
    chosen = store.chosen_shot(answers)
    candidates = store.shots(answers) + ([chosen] if chosen else [])
    found = next((s for s in candidates if s.id == shot_id), None)
    if found is None:
        abort(404)
    try:
        data = photo_store().get(found.file)
    except photos.PhotoMissing:
        abort(404)
    return _jpeg(data)


@bp.post("/apply/photo/choose")
def choose():
    """The citizen picked one shot: it becomes the answer, the others are deleted."""
    context, answers = _wizard()
    if answers is None:
        return redirect(url_for("kiosk.step", name="photo"), 303)
    picked = next((s for s in store.shots(answers) if s.id == request.form.get("shot")), None)
    if picked is None:
        return redirect(url_for("photo.camera"), 303)
    named = store.photo_files(answers)
    store.set_photo_choice(answers, store.PhotoChoice(picked))
    store.set_shots(answers, [picked])
    citizen.save(answers)
    citizen.discard_unnamed_photos(named, answers)
    return redirect(_next_url(answers, context), 303)


def _jpeg(data: bytes) -> Response:
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- staff: the photo kept with an application -----------------------------------------


def _staff_photo(application_id: int):
    application, _applicant = station_application(application_id)
    kept = photos.photo_of(db(), application.id)
    if kept is None:
        abort(404)
    return application, kept


@staff_bp.get("/staff/photos/<int:application_id>")
@requires(Permission.VIEW_CASE)
def staff_photo(application_id: int):
    """The application's photo and the checks it passed."""
    application, kept = _staff_photo(application_id)
    return render_template("photo/staff_photo.html", application=application, kept=kept)


@staff_bp.get("/staff/photos/<int:application_id>.jpg")
@requires(Permission.VIEW_CASE)
def staff_photo_jpeg(application_id: int):
    _application, kept = _staff_photo(application_id)
    try:
        return _jpeg(photo_store().get(kept.file))
    except photos.PhotoMissing:
        abort(404)
