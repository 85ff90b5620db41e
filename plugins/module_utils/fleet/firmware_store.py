# Private to this collection: the firmware images a site keeps beside its fleet.
"""A site's firmware store: ``inventory/<site>/firmware``, next to the fleet, where publish copies images from.

Adding an image (the ``firmware_file`` module): :func:`plan_image` reads the source once, a block at a time
(images are 100+ MB), for its sha256, and refuses a different image under a name the store already holds —
a published kit would otherwise change under the phones without its name changing. :func:`install_image`
then copies it in (staged beside its place, renamed in), checking the copy is what was planned.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass

from .errors import FleetError
from .files import blocks_of, file_sha256, put_in_place, stage


class FirmwareStoreError(FleetError):
    """The image cannot be added as asked; the message names the option (src, file, sha256)."""


@dataclass(frozen=True)
class ImagePlan:
    """An image to keep as ``target``: its sha256, and whether it still has to be copied there."""

    src: str
    target: str
    sha256: str
    copy: bool


def firmware_dir_of(fleet_dir: str) -> str:
    """The store of the site whose fleet is ``fleet_dir`` (inventory/<site>/fleet -> inventory/<site>/firmware)."""
    return os.path.join(os.path.dirname(os.path.abspath(fleet_dir)), "firmware")


def plan_image(src: str, firmware_dir: str, file_name: str, expected_sha256: str | None = None) -> ImagePlan:
    """What keeping ``src`` as ``file_name`` in the store takes; FirmwareStoreError if it must not be done."""
    if not file_name or "/" in file_name or "\\" in file_name or file_name in (".", ".."):
        raise FirmwareStoreError(f"file: '{file_name}' is not a file name (no folders)")
    if not os.path.isfile(src):
        raise FirmwareStoreError(f"src: {src} is not a file")
    try:
        digest = file_sha256(src)
    except OSError as exc:
        raise FirmwareStoreError(f"src: cannot read {src}: {exc.strerror}") from None
    if expected_sha256 and expected_sha256.lower() != digest:
        raise FirmwareStoreError(f"sha256: {src} has sha256 {digest}, not the {expected_sha256.lower()} given")
    target = os.path.join(firmware_dir, file_name)
    if not os.path.exists(target):
        return ImagePlan(src, target, digest, copy=True)
    try:
        kept = file_sha256(target)
    except OSError as exc:
        raise FirmwareStoreError(f"file: cannot read {target}: {exc.strerror}") from None
    if kept != digest:
        raise FirmwareStoreError(
            f"file: {target} already holds another image (sha256 {kept}, src has {digest});"
            " give the new image its own file name"
        )
    return ImagePlan(src, target, digest, copy=False)


def install_image(plan: ImagePlan) -> None:
    """Copy the planned image into the store; refused (nothing left behind) if ``src`` changed since."""
    if not plan.copy:
        return
    os.makedirs(os.path.dirname(plan.target), exist_ok=True)
    digest = hashlib.sha256()

    def hashed(source):
        for block in blocks_of(source):
            digest.update(block)
            yield block

    with open(plan.src, "rb") as source:
        written, _is_spare = stage(plan.target, hashed(source), replacing=False)
    if digest.hexdigest() != plan.sha256:
        with contextlib.suppress(OSError):
            os.unlink(written)
        raise FirmwareStoreError(f"src: {plan.src} changed while it was copied; nothing was changed")
    put_in_place(written, plan.target, is_spare=False)


__all__ = ["FirmwareStoreError", "ImagePlan", "firmware_dir_of", "install_image", "plan_image"]
