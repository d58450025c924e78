"""Factories for provider mapping's shared places."""

import factory

from providers.models import Area, AreaLevel


class AreaFactory(factory.django.DjangoModelFactory):
    """A borough."""

    class Meta:
        model = Area
        django_get_or_create = ["ons_code"]

    name = factory.Sequence(lambda n: f"Borough {n}")
    ons_code = factory.Sequence(lambda n: f"E09{n:06d}")
    level = AreaLevel.BOROUGH


class WardFactory(AreaFactory):
    name = factory.Sequence(lambda n: f"Ward {n}")
    ons_code = factory.Sequence(lambda n: f"E05{n:06d}")
    level = AreaLevel.WARD
    parent = factory.SubFactory(AreaFactory)


# The directory: reference data, profiles and services
# (imported here, not at the top, so that each part's factories stay in their own block)

from providers.models import (  # noqa: E402
    ClientGroup,
    IncomeBand,
    Language,
    OrganisationQualityMark,
    ProviderProfile,
    QualityMark,
    Service,
    ServiceCategory,
    ServiceStatus,
)
from providers.services.profiles import directory_entry_refresh  # noqa: E402

from .accounts import OrganisationFactory  # noqa: E402


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    """A top-level category; pass parent=... for a child."""

    class Meta:
        model = ServiceCategory
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Category {n}")
    code = factory.Sequence(lambda n: f"category-{n}")


class ClientGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientGroup
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Client group {n}")
    code = factory.Sequence(lambda n: f"client-group-{n}")


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Language {n}")
    code = factory.Sequence(lambda n: f"x{n}")


class QualityMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityMark
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Quality mark {n}")
    code = factory.Sequence(lambda n: f"quality-mark-{n}")
    awarded_by = "A national body"


def _set_many(instance, name: str, values) -> None:
    if values:
        getattr(instance, name).set(values)


class ProviderProfileFactory(factory.django.DjangoModelFactory):
    """A profile with contacts. Pass areas_served=[...], client_groups=[...], languages=[...] and
    quality_marks={mark: expires_on}; the search document is rebuilt afterwards."""

    class Meta:
        model = ProviderProfile
        django_get_or_create = ["organisation"]
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    description = "A local charity offering practical help."
    income_band = IncomeBand.SMALL
    year_founded = 1998
    staff_count = 4
    volunteer_count = 20
    website = "https://charity.example.org/"
    contact_name = "Sam Contact"
    contact_email = "contact@charity.example.org"
    contact_phone = "020 7946 0000"
    safeguarding_lead = "Sasha Safeguarding"

    @factory.post_generation
    def areas_served(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "areas_served", extracted)

    @factory.post_generation
    def client_groups(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "client_groups", extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "languages", extracted)

    @factory.post_generation
    def quality_marks(self, create, extracted, **kwargs):
        if create and extracted:
            for mark, expires_on in extracted.items():
                OrganisationQualityMark.objects.create(
                    profile=self, quality_mark=mark, expires_on=expires_on
                )

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        if create:
            directory_entry_refresh(organisation_ids=[self.organisation_id])
            self.refresh_from_db()


class ServiceFactory(factory.django.DjangoModelFactory):
    """An active service in a new category. Pass categories=[...], client_groups=[...],
    areas=[...] and languages=[...]; the organisation's search document is rebuilt afterwards."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "Drop-in sessions every week."
    status = ServiceStatus.ACTIVE

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(extracted if extracted else [ServiceCategoryFactory()])

    @factory.post_generation
    def client_groups(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "client_groups", extracted)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "areas", extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            _set_many(self, "languages", extracted)

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        if create:
            directory_entry_refresh(organisation_ids=[self.organisation_id])


# Passports, consortia and support links. Set workflow state (acceptance, confirmation, status)
# through providers.services.passports and providers.services.consortia, not through these.

from decimal import Decimal  # noqa: E402

from providers.models import (  # noqa: E402
    Consortium,
    ConsortiumMember,
    PassportDocument,
    PassportDocumentKind,
    SupportKind,
    SupportLink,
)

from .accounts import UserFactory  # noqa: E402

# The smallest file that passes the upload checks as a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class PassportDocumentFactory(factory.django.DjangoModelFactory):
    """A PDF waiting for review."""

    class Meta:
        model = PassportDocument

    organisation = factory.SubFactory(OrganisationFactory)
    kind = PassportDocumentKind.GOVERNING_DOCUMENT
    file = factory.django.FileField(data=PDF_BYTES, filename="document.pdf")
    original_name = "document.pdf"
    size = len(PDF_BYTES)
    content_type = "application/pdf"
    uploaded_by = factory.SubFactory(UserFactory)


class ConsortiumFactory(factory.django.DjangoModelFactory):
    """A forming consortium with no members; the lead keeps 40%."""

    class Meta:
        model = Consortium

    name = factory.Sequence(lambda n: f"Consortium {n}")
    lead = factory.SubFactory(OrganisationFactory)
    lead_share = Decimal(40)
    created_by = factory.SubFactory(UserFactory)


class ConsortiumMemberFactory(factory.django.DjangoModelFactory):
    """An unconfirmed member with a 60% share."""

    class Meta:
        model = ConsortiumMember

    consortium = factory.SubFactory(ConsortiumFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "Outreach and drop-in sessions"
    indicative_share = Decimal(60)


class SupportLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportLink

    anchor = factory.SubFactory(OrganisationFactory)
    partner = factory.SubFactory(OrganisationFactory)
    kind = SupportKind.SUPPORTS


# Imports of organisations from CSV. Run them through providers.services.imports; this factory
# only makes a finished job to look at.

from providers.models import ImportStatus, OrganisationImport  # noqa: E402

IMPORT_CSV_BYTES = b"name,charity_number\nExample Community Trust,1234567\n"


class OrganisationImportFactory(factory.django.DjangoModelFactory):
    """A finished import of a one-row file, with its report."""

    class Meta:
        model = OrganisationImport

    uploaded_by = factory.SubFactory(UserFactory, is_network_admin=True)
    file = factory.django.FileField(data=IMPORT_CSV_BYTES, filename="organisations.csv")
    original_name = "organisations.csv"
    status = ImportStatus.DONE
    total_rows = 1
    processed_rows = 1
    refused_count = 1
    report = factory.LazyFunction(
        lambda: [
            {
                "line": 2,
                "outcome": "refused",
                "name": "Example Community Trust",
                "organisation_id": None,
                "messages": ["An example refusal."],
            }
        ]
    )
