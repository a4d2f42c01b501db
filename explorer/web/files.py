"""Files this process writes for the page: its own folder (removed at exit), atomic writes,
content-named pictures pruned after an hour, and the generated example images.

Gradio serves these paths; nothing here reads a path that a request names. No torch here, so the
page's examples exist before the models' libraries have loaded.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

from ..demo import data as demo_data

EXAMPLE_SEED = 7  # the generated images offered as examples (no model saw this seed)
EXPORT_TTL_S = 3600  # PNG downloads older than an hour are removed, as Gradio does with its own
PRUNE_EVERY_S = 60.0  # how often save_picture looks for expired files (a class writes many)
MAX_EXPORT_BYTES = 512 * 2**20  # beyond this the oldest pictures go too, expired or not

_export_dir: Path | None = None
_export_lock = threading.Lock()
_pruned_at = 0.0


def exports() -> Path:
    """This process's own folder for downloads, removed at exit."""
    global _export_dir
    with _export_lock:
        if _export_dir is None:
            _export_dir = Path(tempfile.mkdtemp(prefix="resnet-explorer-"))
            atexit.register(shutil.rmtree, _export_dir, ignore_errors=True)
        return _export_dir


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name, then rename: a reader (Gradio copying the file into its cache
    while another request writes the same name) sees the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _prune(folder: Path, force: bool = False) -> None:
    """Remove pictures older than EXPORT_TTL_S, then the oldest until the folder holds at most
    MAX_EXPORT_BYTES; at most once per PRUNE_EVERY_S unless `force`."""
    global _pruned_at
    now = time.time()
    with _export_lock:
        if now - _pruned_at < PRUNE_EVERY_S and not force:
            return
        _pruned_at = now
    kept = []
    for old in folder.iterdir():
        try:
            info = old.stat()
            if now - info.st_mtime > EXPORT_TTL_S:
                old.unlink(missing_ok=True)
            else:
                kept.append((info.st_mtime, info.st_size, old))
        except FileNotFoundError:  # another request removed it first
            pass
    total = sum(size for _, size, _ in kept)
    for _, size, old in sorted(kept, key=lambda k: k[0]):
        if total <= MAX_EXPORT_BYTES:
            break
        old.unlink(missing_ok=True)
        total -= size


# How each kind of picture is written. PNG at zlib level 1: lossless like level 6 (Pillow's
# default) at a third of the time, the files a little larger. JPEG for composed pictures that are
# only shown; at quality 90 it takes a thirtieth of a PNG's time.
FORMATS = {"png": ("PNG", {"compress_level": 1}), "jpg": ("JPEG", {"quality": 90})}


def save_named(data: bytes, stem: str, suffix: str) -> Path:
    """`data` in this process's export folder, named by its content and written atomically, so
    that two students' identical downloads share one file; files older than EXPORT_TTL_S go."""
    folder = exports() / "pictures"
    folder.mkdir(exist_ok=True)
    _prune(folder)
    digest = hashlib.sha1(data).hexdigest()[:12]  # same content, same file
    path = folder / f"{stem}-{digest}.{suffix}"
    if not path.exists():  # the same content is already there, whole
        write_atomically(path, data)
    return path


def save_picture(image: Image.Image, stem: str, kind: str = "png") -> Path:
    """A picture in this process's export folder ("png" lossless, "jpg" for display only),
    named by its content and written atomically, so that identical pictures for two students
    share one file that is never seen half-written. Files older than EXPORT_TTL_S are removed."""
    fmt, options = FORMATS[kind]
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return save_named(buffer.getvalue(), stem, kind)


def request_key(image: object, *parts: object) -> tuple[str, ...] | None:
    """What a measurement depends on: the image by its bytes, then `parts` as text; None when
    the image cannot be read here (the measurement will say what is wrong with it)."""
    from ..inspect.images import MAX_FILE_BYTES  # numpy and Pillow only

    try:
        if isinstance(image, bytes):
            data = image
        elif isinstance(image, (str, os.PathLike)):
            if Path(image).stat().st_size > MAX_FILE_BYTES:
                return None  # refused unread by the measurement
            data = Path(image).read_bytes()
        else:
            return None
    except OSError:
        return None
    return (hashlib.sha256(data).hexdigest(), *(str(p) for p in parts))


def example_samples() -> list[tuple[np.ndarray, int, np.ndarray]]:
    """The examples as generated: (pixels, label, object mask), the first image of each class
    from EXAMPLE_SEED, in the order the classes first appear."""
    found: list[tuple[np.ndarray, int, np.ndarray]] = []
    for i in range(200):
        img, label, mask = demo_data.sample(EXAMPLE_SEED, i)
        if label not in {f[1] for f in found}:
            found.append((img, label, mask))
        if len(found) == len(demo_data.CLASSES):
            break
    return found


def examples() -> list[str]:
    """One generated image per class, written once, for the page's clickable examples."""
    folder = exports() / "examples"
    with _export_lock:  # written whole before anyone lists it
        if not folder.exists():
            folder.mkdir()
            for n, (img, label, _) in enumerate(example_samples(), start=1):
                Image.fromarray(img).save(folder / f"{n}-{demo_data.CLASSES[label]}.png")
    return sorted(str(p) for p in folder.glob("*.png"))
