"""The name of an uploaded file as it is kept and shown, for every app that takes uploads."""

from __future__ import annotations

import os
import unicodedata

from django.core.files import File


def uploaded_document_name(file: File) -> str:
    """The name the person gave the file, without any path or control characters, at most 255 long."""
    name = os.path.basename(str(file.name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip() or "document"
    stem, extension = os.path.splitext(name)
    return stem[: 255 - len(extension)] + extension
