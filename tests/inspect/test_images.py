"""Image loading: orientation, every colour mode a phone or an editor produces, animations, and
clear errors for files that are not (whole) images."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from explorer import ExplorerError
from explorer.inspect.images import MAX_PIXELS, MAX_SIDE, load_image


def _save(img: Image.Image, tmp_path, name: str, **kwargs) -> str:
    path = tmp_path / name
    img.save(path, **kwargs)
    return str(path)


def test_exif_orientation_is_honoured(tmp_path):
    img = Image.new("RGB", (40, 20), (200, 10, 10))
    img.paste((10, 10, 200), (0, 0, 10, 20))  # a blue band on the left
    exif = Image.Exif()
    exif[274] = 6  # "rotate 90° clockwise to display"
    out = load_image(_save(img, tmp_path, "phone.jpg", exif=exif, quality=95))
    assert out.size == (20, 40)
    top = np.asarray(out)[:5].reshape(-1, 3).mean(0)
    assert top[2] > 150 and top[0] < 80  # the left band is now on top


def test_grayscale_becomes_rgb(tmp_path):
    out = load_image(_save(Image.new("L", (30, 30), 77), tmp_path, "gray.png"))
    assert out.mode == "RGB" and out.getpixel((0, 0)) == (77, 77, 77)


def test_transparency_is_flattened_onto_white(tmp_path):
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 255))
    rgba.putpixel((0, 0), (0, 0, 0, 0))
    out = load_image(_save(rgba, tmp_path, "alpha.png"))
    assert out.getpixel((0, 0)) == (255, 255, 255) and out.getpixel((5, 5)) == (255, 0, 0)
    palette = Image.new("P", (10, 10), 1)
    palette.putpalette([0, 0, 0, 0, 200, 0] + [0] * 762)
    palette.putpixel((0, 0), 0)
    out = load_image(_save(palette, tmp_path, "palette.png", transparency=0))
    assert out.getpixel((0, 0)) == (255, 255, 255) and out.getpixel((5, 5)) == (0, 200, 0)


def test_cmyk_jpeg(tmp_path):
    out = load_image(_save(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), tmp_path, "c.jpg"))
    r, g, b = out.getpixel((8, 8))
    assert out.mode == "RGB" and r > 200 and g < 60 and b < 60


def test_sixteen_bit_png_uses_its_own_range(tmp_path):
    ramp = np.tile(np.linspace(1000, 60000, 50, dtype=np.uint16), (20, 1))
    out = np.asarray(load_image(_save(Image.fromarray(ramp), tmp_path, "deep.png")))
    assert out.dtype == np.uint8 and out[..., 0].min() == 0 and out[..., 0].max() == 255
    assert (np.diff(out[0, :, 0].astype(int)) >= 0).all()  # still a ramp


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animations_use_their_first_frame(tmp_path, fmt):
    frames = [Image.new("RGB", (20, 20), c) for c in ((250, 0, 0), (0, 0, 250))]
    path = tmp_path / f"anim.{fmt.lower()}"
    frames[0].save(path, format=fmt, save_all=True, append_images=frames[1:], duration=100,
                   **({"lossless": True} if fmt == "WEBP" else {}))  # fmt: skip
    r, _, b = load_image(str(path)).getpixel((10, 10))
    assert r > 200 and b < 50


def test_large_images_are_shrunk_before_any_work(tmp_path):
    out = load_image(_save(Image.new("RGB", (3000, 1000)), tmp_path, "wide.png"))
    assert max(out.size) == MAX_SIDE and out.size == (MAX_SIDE, 683)
    assert load_image(_save(Image.new("RGB", (1, 1)), tmp_path, "dot.png")).size == (1, 1)


def test_long_strips_are_cut_to_their_centre(tmp_path):
    strip = np.zeros((20, 10000, 3), dtype=np.uint8)
    strip[:, 4990:5010] = 255  # a white square in the middle
    out = load_image(_save(Image.fromarray(strip), tmp_path, "strip.png"))
    assert out.size == (4 * 20, 20)
    assert np.asarray(out)[:, 30:50].min() == 255 and np.asarray(out)[:, :20].max() == 0


def test_inputs_from_memory(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, format="PNG")
    assert load_image(buffer.getvalue()).getpixel((0, 0)) == (1, 2, 3)
    assert load_image(Image.new("LA", (4, 4))).mode == "RGB"


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF
        )  # fmt: skip

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b""))  # fmt: skip


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "not an image"),
        (b"just some text, renamed .jpg\n", "not an image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not an image"),
        (_png_claiming(30000, 30000), "too many pixels"),
    ],
)
def test_files_that_cannot_be_used(tmp_path, content, says):
    path = tmp_path / "upload.jpg"
    path.write_bytes(content)
    with pytest.raises(ExplorerError, match=says):
        load_image(str(path))


def test_truncated_files(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(
        buffer, format="PNG"
    )  # fmt: skip
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ExplorerError, match="damaged or incomplete"):
        load_image(str(path))
    with pytest.raises(ExplorerError, match="not found"):
        load_image(str(tmp_path / "nowhere.png"))


def test_pillows_bomb_limit_is_kept():
    """Nothing the app imports disables Pillow's decompression-bomb check."""
    import explorer.web.page
    import explorer.web.pages  # noqa: F401 (everything the server computes with)

    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS == 89_478_485
