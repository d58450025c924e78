"""Uploaded documents as every app that takes them keeps them: the name shown, the check against
the caller's rules, and the row's name, type, size and privately stored file."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import Model


def uploaded_document_name(file: File) -> str:
    """The name the person gave the file, without any path or control characters, at most 255 long."""
    name = os.path.basename(str(file.name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip() or "document"
    stem, extension = os.path.splitext(name)
    return stem[: 255 - len(extension)] + extension


def uploaded_document_accept(
    file: File, *, check: Callable[[File], str], field: str = "file"
) -> tuple[str, str]:
    """The name and content type of an upload that passes the caller's check, which holds its own
    size limit, types and messages. A refusal is raised against the form's field."""
    try:
        content_type = check(file)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    return uploaded_document_name(file), content_type


def uploaded_document_fill(
    document: Model, file: File, *, check: Callable[[File], str], field: str = "file"
) -> str:
    """Check an upload and fill a document row's original name, content type and size from it.
    Returns the original name."""
    document.original_name, document.content_type = uploaded_document_accept(
        file, check=check, field=field
    )
    document.size = file.size
    return document.original_name


def uploaded_document_title(title: str, original_name: str) -> str:
    """The title given, or else the file's name without its extension."""
    return (title.strip() or os.path.splitext(original_name)[0])[:200]


def uploaded_document_store(document: Model, file: File) -> None:
    """Put the file in the row's private storage and save the row; if the row cannot be saved,
    the file does not stay behind."""
    document.file.save(document.original_name, file, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
