"""The outcome of `analyse`: one `Check` per rule, and where the compliant photo lies."""

from __future__ import annotations

from dataclasses import dataclass, field

from photo.errors import PhotoNotCompliant
from photo.geometry import GA461, PhotoGeometry
from photo.idphoto import encode_jpeg, render_photo
from photo.loading import ImageSource, load_image
from photo.messages import DEFAULT_LANGUAGE, message
from photo.placement import Placement

Limit = tuple[float | None, float | None]  # inclusive; None = unbounded on that side


@dataclass(frozen=True)
class Check:
    """One rule: its stable `name`, the measured `value`, the `limit` it must lie in, and, when it
    failed, the key of the advice to show the person (see `photo.messages`)."""

    name: str
    ok: bool
    value: float | None
    limit: Limit
    advice: str | None = None

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str | None:
        return None if self.advice is None else message(self.advice, lang)

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict:
        return {
            "name": self.name,
            "ok": self.ok,
            "value": self.value,
            "limit": list(self.limit),
            "message": self.message(lang),
        }


@dataclass(frozen=True)
class Report:
    """All checks that could be made (without a face, only `face_count`).

    `placement` is where the photo lies in the source: `crop` is its [x, y, w, h] in source
    pixels, to be turned by the `roll` check's value (degrees) about its centre to come out level.
    `face_box` is the face's box [x, y, w, h] in source pixels, for `analyse(next_frame, last_face=...)`.
    """

    checks: tuple[Check, ...]
    placement: Placement | None
    face_box: tuple[float, float, float, float] | None = None
    # What `id_photo` cuts from: the analysed picture, and the standard it was checked against.
    source: ImageSource | None = field(default=None, compare=False, repr=False)
    geometry: PhotoGeometry = field(default=GA461, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)

    @property
    def crop(self) -> tuple[int, int, int, int] | None:
        return None if self.placement is None else self.placement.box()

    def id_photo(self) -> bytes:
        """The ID photo as baseline JPEG bytes (24-bit RGB, sRGB profile, dpi set), cut from the
        analysed picture's full-resolution pixels without detecting the face again.

        Raises `PhotoNotCompliant` listing the failed checks (`UnreadableImage` if the source has
        changed since it was analysed).
        """
        if not self.ok or self.placement is None or self.source is None:
            raise PhotoNotCompliant(self)
        return encode_jpeg(render_photo(load_image(self.source), self.placement), self.geometry.dpi)

    def check(self, name: str) -> Check:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict:
        """The JSON shape the CLI prints and a browser can use."""
        return {
            "ok": self.ok,
            "checks": [check.to_dict(lang) for check in self.checks],
            "crop": None if self.crop is None else list(self.crop),
        }
