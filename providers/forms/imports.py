"""Forms for importing organisations from a CSV file. They clean input and nothing else; the
upload form and the report's filter are shared with the indicator import (accounts/forms.py)."""

from __future__ import annotations

from django.conf import settings

from accounts.forms import CsvUploadForm

from ..services.uploads import max_upload_text


class OrganisationImportForm(CsvUploadForm):
    """Files up to the portal's upload limit."""

    def max_size(self) -> int:
        return settings.PORTAL_MAX_UPLOAD_BYTES

    def max_size_text(self) -> str:
        return max_upload_text()
