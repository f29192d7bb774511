"""Checking an uploaded receipt by what is inside it, and choosing where to store it.

We never trust the file's name or the content type the browser sends: both are easy to get
wrong by accident and easy to fake. The type comes from the first bytes of the file, images
must open cleanly in Pillow, and the stored name is random so nothing from the upload ends up
in a path.
"""

import io
import os
import secrets
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageOps

MAX_RECEIPT_BYTES = settings.MAX_UPLOAD_MB * 1024 * 1024

# A 48-megapixel phone photo (8000 x 6000) fits with room to spare. Anything larger is more likely
# a decompression bomb (a small file that unpacks to gigabytes of pixels) than a receipt. Pillow's
# own, higher limit (about 89 million) is also treated as a refusal below.
MAX_RECEIPT_PIXELS = 64_000_000

# A PDF ends with "%%EOF", possibly followed by a little whitespace or junk from the writer.
PDF_TAIL_BYTES = 2048


@dataclass(frozen=True)
class ReceiptType:
    content_type: str
    extension: str


JPEG = ReceiptType("image/jpeg", "jpg")
PNG = ReceiptType("image/png", "png")
WEBP = ReceiptType("image/webp", "webp")
PDF = ReceiptType("application/pdf", "pdf")

RECEIPT_TYPES = (JPEG, PNG, WEBP, PDF)

# For an <input type="file" accept="...">: only a hint to the browser, never a check.
RECEIPT_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"

# The extensions a person might reasonably give each type.
_TYPE_BY_EXTENSION = {"jpg": JPEG, "jpeg": JPEG, "png": PNG, "webp": WEBP, "pdf": PDF}

# How we name each type to the person uploading it.
_PLAIN_NAMES = {JPEG: "a JPEG photo", PNG: "a PNG image", WEBP: "a WebP image", PDF: "a PDF"}

# Which Pillow plugin must read each image type.
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


def receipt_check(upload) -> ReceiptType:
    """Return the receipt's real type, or raise ValidationError saying what is wrong.

    Leaves the upload at position 0 so Django can save it afterwards.
    """
    try:
        return _check(upload)
    finally:
        upload.seek(0)


def _check(upload) -> ReceiptType:
    limit_mb = MAX_RECEIPT_BYTES // (1024 * 1024)
    too_big = ValidationError(
        f"This file is bigger than {limit_mb} MB. "
        "Take a smaller photo, or save the receipt as a PDF.",
        code="too_big",
    )
    if upload.size is not None and upload.size > MAX_RECEIPT_BYTES:
        raise too_big

    # Read at most one byte past the limit, so a wrong .size can't make us read a huge file.
    upload.seek(0)
    data = upload.read(MAX_RECEIPT_BYTES + 1)
    if len(data) > MAX_RECEIPT_BYTES:
        raise too_big
    if not data:
        raise ValidationError(
            "This file is empty. Choose the receipt again, or take a new photo of it.",
            code="empty",
        )

    receipt_type = _type_from_content(data)
    if receipt_type is None:
        raise ValidationError(
            "We can only take photos (JPEG, PNG or WebP) or PDF files. "
            "Take a photo of the receipt, or save it as a PDF, and try again.",
            code="wrong_type",
        )

    _check_name_matches(upload.name or "", receipt_type)

    if receipt_type is PDF:
        _check_pdf(data)
    else:
        _check_image(data, receipt_type)
    return receipt_type


def _type_from_content(data: bytes) -> ReceiptType | None:
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def _name_extension(name: str) -> str:
    return os.path.splitext(os.path.basename(name))[1].lstrip(".").lower()


def _check_name_matches(name: str, receipt_type: ReceiptType) -> None:
    # A mismatch usually means the person picked the wrong file, so we say so rather than
    # quietly storing something they did not mean to send.
    extension = _name_extension(name)
    if not extension or _TYPE_BY_EXTENSION.get(extension) is receipt_type:
        return
    raise ValidationError(
        f"This file's name ends in .{extension} but it is {_PLAIN_NAMES[receipt_type]}. "
        "Check you picked the right file.",
        code="name_mismatch",
    )


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_TAIL_BYTES:]:
        raise ValidationError(
            "This PDF looks incomplete or damaged. Save the receipt as a PDF again and "
            "upload the new file.",
            code="damaged",
        )


def _check_image(data: bytes, receipt_type: ReceiptType) -> None:
    damaged = ValidationError(
        "We could not open this picture. It may be damaged or only partly uploaded. "
        "Take a new photo of the receipt and try again.",
        code="damaged",
    )
    too_many_pixels = ValidationError(
        "This picture is too large for us to open. Take a new photo at normal size, "
        "or save the receipt as a PDF.",
        code="too_many_pixels",
    )
    formats = [_PILLOW_FORMATS[receipt_type]]
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; treat a warning as a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as image:
                width, height = image.size
                if width * height > MAX_RECEIPT_PIXELS:
                    raise too_many_pixels
                # verify() checks the file's structure without decoding it...
                image.verify()
            # ...and load() decodes every pixel, which catches a truncated JPEG or WebP that
            # verify() lets through. verify() leaves the image unusable, hence a second open.
            with Image.open(io.BytesIO(data), formats=formats) as image:
                if receipt_type is JPEG:
                    # Decode at an eighth of the size: still reads every byte, uses far less memory.
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except ValidationError:
        raise
    except Exception:
        # Pillow raises many kinds of errors for broken files (OSError, SyntaxError,
        # ValueError, struct.error...); each means the same thing to the person uploading.
        raise damaged from None


# Re-encoding quality for photos: high enough that the receipt looks the same.
JPEG_QUALITY = 92
WEBP_QUALITY = 90


def receipt_without_metadata(upload, receipt_type: ReceiptType):
    """The receipt to store: a photo drawn again from its pixels, so nothing else in the
    file comes along (where it was taken, when, the phone's make, a thumbnail, comments).
    Photos often carry the GPS position of where they were taken: for a receipt, often
    the person's home. The photo is first turned the way its rotation note says, as that
    note goes too. Its colour profile stays, so it looks the same. PDFs are stored as
    they came: they are checked (receipt_check), not drawn again. Call after
    receipt_check."""
    if receipt_type not in _PILLOW_FORMATS:
        return upload
    upload.seek(0)
    with Image.open(upload, formats=[_PILLOW_FORMATS[receipt_type]]) as image:
        icc_profile = image.info.get("icc_profile")
        # A new image (turned, or a copy): the pixels, without the file they came from.
        clean = ImageOps.exif_transpose(image)
    # Only the pixels (with any transparency) and their colour profile are written: no
    # exif, xmp, comments or text.
    clean.info = {k: v for k, v in clean.info.items() if k == "transparency"}
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if receipt_type is JPEG:
        clean = clean if clean.mode in ("RGB", "L", "CMYK") else clean.convert("RGB")
        options |= {"quality": JPEG_QUALITY, "subsampling": 0}
    elif receipt_type is WEBP:
        options |= {"quality": WEBP_QUALITY}
    buffer = io.BytesIO()
    clean.save(buffer, format=_PILLOW_FORMATS[receipt_type], **options)
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name=upload.name or f"receipt.{receipt_type.extension}")


def receipt_upload_to(instance, filename: str) -> str:
    """Storage path for a receipt: random, with the extension of what the file really is.

    Nothing from the uploaded name is used, except to choose among our own fixed extensions
    when the model has not recorded the checked type.
    """
    receipt_type = getattr(instance, "_receipt_type", None)
    if isinstance(receipt_type, ReceiptType) and receipt_type in RECEIPT_TYPES:
        extension = receipt_type.extension
    else:
        guessed = _TYPE_BY_EXTENSION.get(_name_extension(filename or ""))
        extension = guessed.extension if guessed else "bin"
    now = timezone.now()
    return f"receipts/{now:%Y}/{now:%m}/{secrets.token_hex(16)}.{extension}"
