"""URLs for provider mapping: the directory, profiles and services, passports, consortia, imports
and open data. Each part's views live in their own module under providers/views/."""

from django.urls import path

from .views import consortia, directory, imports, opendata, passports, profiles

app_name = "providers"

urlpatterns = [
    # Profiles, services and reference data (views/profiles.py)
    path("organisations/<int:pk>/profile/", profiles.profile_edit, name="profile_edit"),
    path(
        "organisations/<int:pk>/profile/history/", profiles.profile_history, name="profile_history"
    ),
    path("organisations/<int:pk>/services/", profiles.service_list, name="service_list"),
    path("organisations/<int:pk>/services/new/", profiles.service_create, name="service_create"),
    path("services/<int:pk>/edit/", profiles.service_edit, name="service_edit"),
    path("network/reference/", profiles.reference_index, name="reference_index"),
    path("network/reference/<str:kind>/", profiles.reference_list, name="reference_list"),
    path("network/reference/<str:kind>/new/", profiles.reference_edit, name="reference_create"),
    path("network/reference/<str:kind>/<int:pk>/", profiles.reference_edit, name="reference_edit"),
    # The directory and the provision map (views/directory.py)
    path("directory/", directory.directory, name="directory"),
    path("directory/export.csv", directory.directory_csv, name="directory_csv"),
    path("directory/organisations/<int:pk>/", directory.organisation, name="organisation"),
    path("directory/services/<int:pk>/", directory.service, name="service"),
    path("provision-map/", directory.provision_map, name="provision_map"),
    path("provision-map/export.csv", directory.provision_map_csv, name="provision_map_csv"),
    # Passports (views/passports.py)
    path("organisations/<int:pk>/passport/", passports.passport, name="passport"),
    path("passport-documents/<int:pk>/", passports.passport_document, name="passport_document"),
    path("network/passports/", passports.passport_queue, name="passport_queue"),
    path("network/passports/<int:pk>/review/", passports.passport_review, name="passport_review"),
    # Consortia and support links (views/consortia.py)
    path("consortia/", consortia.consortium_list, name="consortium_list"),
    path("consortia/new/", consortia.consortium_create, name="consortium_create"),
    path("consortia/<int:pk>/", consortia.consortium, name="consortium"),
    path("consortia/<int:pk>/edit/", consortia.consortium_edit, name="consortium_edit"),
    path(
        "consortia/<int:pk>/members/new/",
        consortia.consortium_member_add,
        name="consortium_member_add",
    ),
    path(
        "consortia/<int:pk>/members/<int:member_pk>/",
        consortia.consortium_member_edit,
        name="consortium_member_edit",
    ),
    path(
        "consortia/<int:pk>/members/<int:member_pk>/confirm/",
        consortia.consortium_member_confirm,
        name="consortium_member_confirm",
    ),
    path("consortia/<int:pk>/status/", consortia.consortium_status, name="consortium_status"),
    path(
        "consortia/<int:pk>/agreement/", consortia.consortium_document, name="consortium_document"
    ),
    path("organisations/<int:pk>/support-links/", consortia.support_links, name="support_links"),
    path(
        "organisations/<int:pk>/support-links/<int:link_pk>/delete/",
        consortia.support_link_delete,
        name="support_link_delete",
    ),
    # Imports (views/imports.py)
    path("network/imports/", imports.import_list, name="import_list"),
    path("network/imports/new/", imports.import_create, name="import_create"),
    path("network/imports/template.csv", imports.import_template, name="import_template"),
    path("network/imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("network/imports/<int:pk>/report.csv", imports.import_report, name="import_report"),
    # Open data (views/opendata.py): paths as in the HSDS 3.0 openapi.json
    path("open-data/hsds/", opendata.hsds_index, name="hsds_index"),
    path("open-data/hsds/organizations", opendata.hsds_organizations, name="hsds_organizations"),
    path(
        "open-data/hsds/organizations/<uuid:id>",
        opendata.hsds_organization,
        name="hsds_organization",
    ),
    path("open-data/hsds/services", opendata.hsds_services, name="hsds_services"),
    path("open-data/hsds/services/<uuid:id>", opendata.hsds_service, name="hsds_service"),
    path("open-data/hsds/taxonomies", opendata.hsds_taxonomies, name="hsds_taxonomies"),
    path("open-data/hsds/taxonomies/<uuid:id>", opendata.hsds_taxonomy, name="hsds_taxonomy"),
    path("open-data/hsds/taxonomy_terms", opendata.hsds_taxonomy_terms, name="hsds_taxonomy_terms"),
    path(
        "open-data/hsds/taxonomy_terms/<uuid:id>",
        opendata.hsds_taxonomy_term,
        name="hsds_taxonomy_term",
    ),
]
