"""Checks on uploaded documents before they reach private storage: the size, and the type by both
the file's name and its first bytes, with a message that tells the person what to do instead."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat

from accounts.uploads import uploaded_document_name

# Extension: (content type, name people know it by, the bytes a real file of that type starts with).
# .docx and .odt are both zip archives, so they share the zip signature.
DOCUMENT_TYPES: dict[str, tuple[str, str, bytes]] = {
    ".pdf": ("application/pdf", "PDF", b"%PDF-"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
        b"PK\x03\x04",
    ),
    ".doc": ("application/msword", "Word 97-2003", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ".odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text", b"PK\x03\x04"),
    ".jpg": ("image/jpeg", "JPEG", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", "JPEG", b"\xff\xd8\xff"),
    ".png": ("image/png", "PNG", b"\x89PNG\r\n\x1a\n"),
}
ACCEPTED_TYPES_TEXT = "PDF, Word (.docx or .doc), OpenDocument text (.odt), JPEG or PNG"
ACCEPT_ATTRIBUTE = ",".join(DOCUMENT_TYPES)


def max_upload_text() -> str:
    """The size limit as people say it: "10 MB" rather than "10.0 MB"."""
    limit = settings.PORTAL_MAX_UPLOAD_BYTES
    megabyte = 1024 * 1024
    if limit % megabyte == 0:
        return f"{limit // megabyte} MB"
    return filesizeformat(limit)


def uploaded_document_check(file: File) -> str:
    """The content type to store for an uploaded document, or a ValidationError saying why it is
    refused. The name and the first bytes must agree: a renamed file is refused."""
    name = uploaded_document_name(file)
    size = file.size or 0
    if size == 0:
        raise ValidationError(f"“{name}” is empty. Check that it is the right file and try again.")
    if size > settings.PORTAL_MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"“{name}” is {filesizeformat(size)}. Files can be up to {max_upload_text()}: "
            "make it smaller, for example by saving it as a PDF, and try again."
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(
            f"“{name}” is not a type of file we accept. Upload a {ACCEPTED_TYPES_TEXT} file."
        )
    content_type, label, signature = DOCUMENT_TYPES[extension]
    file.seek(0)
    head = file.read(len(signature))
    file.seek(0)
    if head != signature:
        raise ValidationError(
            f"“{name}” is named as a {label} file, but its content is not {label}. "
            "Open it, save it again as a real "
            f"{label} file (or as a PDF), and upload that."
        )
    return content_type
