"""Pages for the pre-qualification passport: an organisation's documents and uploads, the
permission-checked download, and the network admins' review queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.access import network_admin_required
from accounts.forms import form_errors_from
from accounts.workflow import TransitionNotAllowed

from .. import access
from ..forms.passports import PassportReviewForm, PassportUploadForm
from ..models import PASSPORT_WARNING_DAYS, PassportDocumentKind, PassportDocumentStatus
from ..services import passports as passport_services
from ..services.uploads import max_upload_text

PAGE_SIZE = 25


def private_file_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A privately stored file, as a download that the browser must not sniff or cache."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("The file is missing.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def passport(request, pk: int):
    """The organisation's members see and upload its documents; network admins may look."""
    organisation = access.get_own_organisation(request.user, pk, network_admins=True)
    can_upload = access.is_member_of(request.user, organisation)
    kind = request.GET.get("kind")
    form = PassportUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": kind if kind in PassportDocumentKind.values else ""},
    )
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied("Only the organisation's members can upload its documents.")
        if form.is_valid():
            try:
                document = passport_services.passport_document_upload(
                    actor=request.user, organisation=organisation, **form.document_data()
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(
                    request,
                    f"“{document.original_name}” is uploaded as your "
                    f"{document.get_kind_display().lower()}. A network admin will review it; "
                    "we will email you when they have.",
                )
                return redirect("providers:passport", pk=organisation.pk)
    return render(
        request,
        "providers/passport.html",
        {
            "organisation": organisation,
            "overview": passport_services.passport_overview(organisation),
            "form": form if can_upload else None,
            "warning_days": PASSPORT_WARNING_DAYS,
            "max_upload": max_upload_text(),
        },
    )


@login_required
@require_GET
def passport_document(request, pk: int):
    document = access.get_passport_document_for_user(request.user, pk)
    return private_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


@network_admin_required
@require_GET
def passport_queue(request):
    documents = (
        access.passport_review_queue()
        .select_related("organisation", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "providers/passport_queue.html", {"page": page})


@network_admin_required
def passport_review(request, pk: int):
    document = access.get_passport_document_for_user(request.user, pk)
    form = PassportReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == PassportDocumentStatus.ACCEPTED
        review = (
            passport_services.passport_document_accept
            if accept
            else passport_services.passport_document_return
        )
        try:
            review(actor=request.user, document=document, comment=form.cleaned_data["comment"])
        except TransitionNotAllowed:
            messages.error(
                request,
                "This document has already been reviewed or replaced; "
                "someone may have acted on it a moment ago.",
            )
            return redirect("providers:passport_queue")
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"The {document.get_kind_display().lower()} of {document.organisation} is "
                f"{'accepted' if accept else 'returned'}. Its people have been emailed.",
            )
            return redirect("providers:passport_queue")
    overview = passport_services.passport_overview(document.organisation)
    return render(
        request,
        "providers/passport_review.html",
        {"document": document, "form": form, "overview": overview},
    )
