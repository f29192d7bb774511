import contextlib
import io
import re
import warnings
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from payments import receipts
from payments.receipts import ReceiptType, receipt_check, receipt_upload_to

MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)


def image_bytes(format: str, size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=format)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(file) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        receipt_check(file)
    return caught.value


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("receipt.jpg", image_bytes("JPEG"), ReceiptType("image/jpeg", "jpg")),
        ("receipt.JPEG", image_bytes("JPEG"), ReceiptType("image/jpeg", "jpg")),
        ("receipt.png", image_bytes("PNG"), ReceiptType("image/png", "png")),
        ("receipt.webp", image_bytes("WEBP"), ReceiptType("image/webp", "webp")),
        ("receipt.pdf", MINIMAL_PDF, ReceiptType("application/pdf", "pdf")),
    ],
)
def test_it_accepts_each_good_type(name, content, expected):
    assert receipt_check(upload(name, content)) == expected


def test_it_accepts_a_name_with_no_extension():
    assert receipt_check(upload("receipt", image_bytes("PNG"))) == receipts.PNG


def test_it_ignores_the_content_type_the_browser_sends():
    file = upload("receipt.png", image_bytes("PNG"), content_type="application/pdf")
    assert receipt_check(file) == receipts.PNG


def test_it_refuses_a_pdf_named_png():
    error = refusal(upload("receipt.png", MINIMAL_PDF))
    assert error.code == "name_mismatch"
    assert error.messages == [
        "This file's name ends in .png but it is a PDF. Check you picked the right file."
    ]


def test_it_refuses_a_png_named_pdf():
    error = refusal(upload("receipt.pdf", image_bytes("PNG")))
    assert error.code == "name_mismatch"
    assert ".pdf" in error.messages[0]
    assert "PNG" in error.messages[0]


def test_it_refuses_a_jpeg_with_an_extension_we_do_not_take():
    error = refusal(upload("receipt.exe", image_bytes("JPEG")))
    assert error.code == "name_mismatch"


def test_it_refuses_a_text_file_named_jpg():
    error = refusal(upload("receipt.jpg", b"Bus fare 4.20, 3 March", content_type="image/jpeg"))
    assert error.code == "wrong_type"
    assert error.messages[0].startswith("We can only take photos (JPEG, PNG or WebP) or PDF files")


def test_it_refuses_an_empty_file():
    error = refusal(upload("receipt.jpg", b""))
    assert error.code == "empty"
    assert "empty" in error.messages[0]


def test_it_refuses_a_file_over_the_limit(monkeypatch):
    monkeypatch.setattr(receipts, "MAX_RECEIPT_BYTES", 2 * 1024 * 1024)
    content = MINIMAL_PDF[:-6] + b" " * (2 * 1024 * 1024) + b"%%EOF\n"
    error = refusal(upload("receipt.pdf", content))
    assert error.code == "too_big"
    assert error.messages == [
        "This file is bigger than 2 MB. Take a smaller photo, or save the receipt as a PDF."
    ]


def test_it_refuses_a_big_file_even_when_its_size_is_misreported(monkeypatch):
    monkeypatch.setattr(receipts, "MAX_RECEIPT_BYTES", 1024 * 1024)
    file = upload("receipt.pdf", MINIMAL_PDF + b" " * (1024 * 1024) + b"%%EOF\n")
    file.size = 10
    assert refusal(file).code == "too_big"


def test_it_says_the_real_limit_in_megabytes():
    file = upload("receipt.pdf", MINIMAL_PDF)
    file.size = receipts.MAX_RECEIPT_BYTES + 1
    assert "bigger than 10 MB" in refusal(file).messages[0]


def test_it_refuses_a_truncated_png():
    content = image_bytes("PNG", size=(64, 64))
    error = refusal(upload("receipt.png", content[: len(content) // 2]))
    assert error.code == "damaged"


def test_it_refuses_a_truncated_jpeg():
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(buffer, format="JPEG")
    content = buffer.getvalue()
    assert refusal(upload("receipt.jpg", content[: len(content) // 2])).code == "damaged"


def test_it_refuses_a_png_header_with_nothing_after_it():
    assert refusal(upload("receipt.png", b"\x89PNG\r\n\x1a\n")).code == "damaged"


def test_it_refuses_a_pdf_with_no_end_marker():
    error = refusal(upload("receipt.pdf", MINIMAL_PDF.replace(b"%%EOF", b"")))
    assert error.code == "damaged"


def test_it_refuses_a_pdf_whose_end_marker_is_far_from_the_end():
    assert refusal(upload("receipt.pdf", MINIMAL_PDF + b" " * 4096)).code == "damaged"


def test_it_refuses_an_image_with_too_many_pixels(monkeypatch):
    monkeypatch.setattr(receipts, "MAX_RECEIPT_PIXELS", 50 * 50)
    error = refusal(upload("receipt.png", image_bytes("PNG", size=(100, 100))))
    assert error.code == "too_many_pixels"


def test_it_refuses_a_decompression_bomb(monkeypatch):
    # Pillow's own limit, lowered so a tiny image trips it: first its warning, then its error.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warned = refusal(upload("receipt.png", image_bytes("PNG", size=(40, 40))))
        errored = refusal(upload("receipt.png", image_bytes("PNG", size=(100, 100))))
    assert warned.code == "too_many_pixels"
    assert errored.code == "too_many_pixels"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("receipt.png", image_bytes("PNG")),
        ("receipt.pdf", MINIMAL_PDF),
        ("receipt.png", MINIMAL_PDF),
        ("receipt.jpg", b"not a picture"),
    ],
)
def test_it_leaves_the_file_at_the_start(name, content):
    file = upload(name, content)
    file.read(3)
    with contextlib.suppress(ValidationError):
        receipt_check(file)
    assert file.tell() == 0
    assert file.read() == content


def test_it_sets_a_code_on_every_refusal():
    for file in (
        upload("a.jpg", b""),
        upload("a.jpg", b"text"),
        upload("a.png", MINIMAL_PDF),
        upload("a.png", b"\x89PNG\r\n\x1a\nbroken"),
    ):
        assert refusal(file).code


def test_it_names_stored_receipts_by_their_content():
    instance = SimpleNamespace(_receipt_type=receipts.PDF)
    path = receipt_upload_to(instance, "Jo Bloggs bus ticket.png")
    assert re.fullmatch(r"receipts/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", path)


def test_it_never_puts_any_part_of_the_uploaded_name_in_the_path():
    instance = SimpleNamespace(_receipt_type=receipts.JPEG)
    name = "../../etc/passwd; Jo Bloggs receipt.jpeg"
    path = receipt_upload_to(instance, name)
    stored_name = path.rsplit("/", 1)[1]
    for part in ("..", "etc", "passwd", "Jo", "Bloggs", "receipt", "jpeg", ";", " "):
        assert part not in stored_name
    assert path.endswith(".jpg")


def test_it_gives_a_different_path_each_time():
    instance = SimpleNamespace(_receipt_type=receipts.PNG)
    assert receipt_upload_to(instance, "a.png") != receipt_upload_to(instance, "a.png")


@pytest.mark.parametrize(
    ("filename", "extension"),
    [
        ("photo.JPEG", "jpg"),
        ("photo.png", "png"),
        ("scan.pdf", "pdf"),
        ("script.php", "bin"),
        ("page.html", "bin"),
        ("no-extension", "bin"),
        ("", "bin"),
    ],
)
def test_it_falls_back_to_a_safe_extension_when_the_type_is_unknown(filename, extension):
    path = receipt_upload_to(SimpleNamespace(), filename)
    assert re.fullmatch(rf"receipts/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{extension}", path)


def test_it_builds_a_path_for_a_type_found_by_checking():
    file = upload("receipt.webp", image_bytes("WEBP"))
    instance = SimpleNamespace(_receipt_type=receipt_check(file))
    assert receipt_upload_to(instance, file.name).endswith(".webp")
