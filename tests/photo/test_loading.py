"""Awkward and hostile input: a clear `UnreadableImage` or a correct result, never a crash,
a hang or a warning."""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image

from photo import UnreadableImage, analyse, loading, make_id_photo
from photo.loading import MAX_PIXELS, load_frame, load_image


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def encoded(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header announces the size, with hardly any data behind it."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, not an image", b"\xff\xd8\xff\xe0" + b"\0" * 40],
    ids=["empty", "text", "jpeg-magic-only"],
)
def test_not_an_image(data):
    with pytest.raises(UnreadableImage):
        analyse(data)


def test_a_truncated_jpeg(good_jpeg):
    with pytest.raises(UnreadableImage):
        analyse(good_jpeg[: len(good_jpeg) // 2])


@pytest.mark.parametrize("size", [(10_000, 6_000), (20_000, 20_000), (100_000, 100_000)])
def test_decompression_bombs_are_refused_unread(size):
    with pytest.raises(UnreadableImage, match="pixels|not a readable image"):
        load_image(png_claiming(*size))


def test_the_pixel_limit_is_sane():
    assert 24_000_000 <= MAX_PIXELS <= 100_000_000


def test_a_missing_file(tmp_path):
    with pytest.raises(UnreadableImage):
        analyse(tmp_path / "nowhere.jpg")


def test_something_that_is_not_an_image_source():
    with pytest.raises(TypeError):
        analyse(12345)


def test_a_one_pixel_image_has_no_face():
    report = analyse(encoded(Image.new("RGB", (1, 1), "white"), "PNG"))
    assert not report.ok
    assert report.check("face_count").value == 0


def test_bytes_and_paths_give_the_same_report(good_jpeg, good_report, tmp_path):
    path = tmp_path / "frame.jpg"
    path.write_bytes(good_jpeg)
    for source in (path, str(path), bytearray(good_jpeg), memoryview(good_jpeg)):
        assert analyse(source) == good_report


def test_a_pil_image_is_accepted_and_left_as_it_was(good_jpeg, good_report):
    image = Image.open(io.BytesIO(good_jpeg))
    report = analyse(image)  # decoded in full, not reduced while decoding: close, not identical
    assert report.ok
    assert report.crop == pytest.approx(good_report.crop, abs=6)
    assert image.size == (1280, 720) and image.mode == "RGB"


def test_a_cmyk_jpeg(good_scene):
    report = analyse(encoded(good_scene.image.convert("CMYK"), "JPEG", quality=92))
    assert report.ok, report.failures


def test_a_16_bit_greyscale_png_is_scaled_not_clipped(good_scene):
    grey = np.asarray(good_scene.image.convert("L"), dtype=np.uint16) * 257
    data = encoded(Image.fromarray(grey), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    pixels = load_image(data)
    assert pixels.shape == (720, 1280, 3)
    assert abs(pixels.mean() - grey.mean() / 257) < 1
    assert analyse(data).check("face_count").ok


def test_transparency_is_laid_on_white(good_scene):
    rgba = good_scene.image.convert("RGBA")
    alpha = np.full((720, 1280), 255, np.uint8)
    alpha[:100, :200] = 0
    rgba.putalpha(Image.fromarray(alpha))
    data = encoded(rgba, "PNG")
    pixels = load_image(data)
    assert (pixels[:100, :200] == 255).all()
    assert analyse(data).ok


def test_a_phone_photo_turned_by_exif_orientation(good_scene, good_report):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned a quarter to the left: display turned right
    stored = good_scene.image.transpose(Image.Transpose.ROTATE_90)
    data = encoded(stored, "JPEG", quality=92, exif=exif)
    frame = load_frame(data, 640)
    assert frame.source_size == (1280, 720)
    report = analyse(data)
    assert report.ok, report.failures
    assert report.crop == pytest.approx(good_report.crop, abs=12)
    assert Image.open(io.BytesIO(make_id_photo(data))).size == (358, 441)


def test_reduced_decoding_keeps_the_scale_right(good_jpeg):
    frame = load_frame(good_jpeg, 640)
    assert frame.pixels.shape == (360, 640, 3)
    assert frame.scale == pytest.approx(0.5)
    assert frame.source_size == (1280, 720)


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int]]:
    """The size of every picture decoded (as its decoder delivers it)."""
    sizes: list[tuple[int, int]] = []
    decode = loading._decode

    def counted(image):
        sizes.append(image.size)
        return decode(image)

    monkeypatch.setattr(loading, "_decode", counted)
    return sizes


def test_a_picture_over_the_decode_bound_is_refused_from_its_header(decoded):
    with pytest.raises(UnreadableImage, match="pixels"):
        load_frame(png_claiming(7000, 7000), 640, max_decoded_pixels=1_000_000)
    assert decoded == []


def test_a_large_jpeg_is_reduced_while_decoding_to_within_the_bound(decoded):
    data = encoded(Image.new("RGB", (4000, 3000), "white"), "JPEG", quality=50)
    frame = load_frame(data, 640, max_decoded_pixels=1_000_000)
    assert frame.pixels.shape == (480, 640, 3)
    [(width, height)] = decoded
    assert width * height <= 1_000_000
