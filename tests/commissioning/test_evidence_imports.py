"""Importing indicator values from CSV in the public health profile layout: a per-row report, the
good rows of a broken file kept, nothing changed by a second run, files refused with a reason, and
large files run as a Celery task with progress."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from commissioning.models import ComparatorValue, IndicatorImport, IndicatorValue
from commissioning.models.evidence import ImportStatus
from commissioning.services import indicator_imports as imports
from commissioning.tasks import evidence as tasks
from providers.models import Area, AreaLevel
from tests.factories import (
    AreaFactory,
    CommissioningBodyFactory,
    MembershipFactory,
    UserFactory,
    WardFactory,
)
from tests.factories.commissioning_evidence import IndicatorFactory, IndicatorImportFactory

pytestmark = pytest.mark.django_db

# The columns of a public health profile (Fingertips) download, in its order.
FINGERTIPS = [
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Time period Sortable",
]


def fingertips_row(indicator, area_code, area_name, period, value, lower="", upper="", **more):
    row = dict.fromkeys(FINGERTIPS, "")
    row.update(
        {
            "Indicator ID": indicator,
            "Indicator Name": "Breastfeeding",
            "Area Code": area_code,
            "Area Name": area_name,
            "Sex": "Persons",
            "Age": "6-8 weeks",
            "Time period": period,
            "Value": value,
            "Lower CI 95.0 limit": lower,
            "Upper CI 95.0 limit": upper,
            "Lower CI 99.8 limit": "1",
            "Recent Trend": "Cannot be calculated",
        }
    )
    row.update(more)
    return row


def csv_bytes(rows: list[dict], header: list[str] = FINGERTIPS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def world():
    borough = AreaFactory(name="Lindenford", ons_code="E09000012")
    return {
        "borough": borough,
        "north": WardFactory(name="Lindenford North", ons_code="E05009367", parent=borough),
        "south": WardFactory(name="Lindenford South", ons_code="E05009368", parent=borough),
        "breastfeeding": IndicatorFactory(
            code="92517", name="Breastfeeding at 6 to 8 weeks", unit="percent"
        ),
        "admissions": IndicatorFactory(
            code="93014",
            name="Alcohol-related admissions",
            unit="per_100000",
            polarity="lower_better",
        ),
    }


GOOD_ROWS = [
    fingertips_row("92517", "E92000001", "England", "2023/24", "49.2", "49.1", "49.3"),
    fingertips_row(
        "92517",
        "E09000012",
        "Lindenford",
        "2023/24",
        "52.0",
        "49.5",
        "54.5",
        Count="520",
        Denominator="1000",
    ),
    fingertips_row("92517", "E05009367", "Lindenford North", "2023/24", "47.0", "45.0", "49.0"),
    fingertips_row(
        "93014", "E05009368", "Lindenford South", "2021 - 23", "560.4", "520.1", "602.3"
    ),
]


def run(actor, data: bytes, name="download.csv") -> IndicatorImport:
    return imports.indicator_import_create(actor=actor, original_name=name, data=data)


def report_by_line(job) -> dict[int, dict]:
    return {entry["line"]: entry for entry in job.report}


def test_a_public_health_profile_download_imports_each_row(commissioner, world):
    job = run(commissioner, csv_bytes(GOOD_ROWS))

    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.processed_rows) == (4, 4)
    assert (job.created_count, job.updated_count, job.unchanged_count, job.refused_count) == (
        4,
        0,
        0,
        0,
    )
    comparator = ComparatorValue.objects.get()
    assert (comparator.indicator, comparator.period, comparator.value) == (
        world["breastfeeding"],
        "2023/24",
        D("49.2"),
    )
    borough = IndicatorValue.objects.get(area=world["borough"])
    assert (borough.period_start, borough.value, borough.lower_ci, borough.upper_ci) == (
        date(2023, 4, 1),
        D("52"),
        D("49.5"),
        D("54.5"),
    )
    assert (borough.count, borough.denominator) == (D("520"), D("1000"))
    assert borough.source == "OHID Fingertips"  # the indicator's own, as the file gives none
    assert borough.entered_by == commissioner
    south = IndicatorValue.objects.get(area=world["south"])
    assert (south.indicator, south.period, south.period_start) == (
        world["admissions"],
        "2021 - 23",
        date(2021, 1, 1),
    )
    assert [entry["outcome"] for entry in job.report] == ["created"] * 4
    assert report_by_line(job)[3]["area"] == "E09000012"
    assert AuditEvent.objects.filter(
        action="indicator_import.finished", note__startswith="4 created"
    )


def test_the_same_file_twice_changes_nothing_the_second_time(commissioner, world):
    data = csv_bytes(GOOD_ROWS)
    run(commissioner, data)
    before = {v.pk: (v.value, v.updated_at) for v in IndicatorValue.objects.all()}

    again = run(commissioner, data)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)
    assert {v.pk: (v.value, v.updated_at) for v in IndicatorValue.objects.all()} == before
    assert ComparatorValue.objects.count() == 1


def test_a_changed_value_is_updated_and_the_report_says_what_changed(commissioner, world):
    run(commissioner, csv_bytes(GOOD_ROWS))
    changed = [dict(row) for row in GOOD_ROWS]
    changed[2]["Value"] = "47.5"
    changed[2]["Upper CI 95.0 limit"] = "49.9"

    job = run(commissioner, csv_bytes(changed))

    assert (job.updated_count, job.unchanged_count) == (1, 3)
    assert report_by_line(job)[4]["messages"] == ["Changed: value, upper limit"]
    north = IndicatorValue.objects.get(area=world["north"])
    assert (north.value, north.upper_ci) == (D("47.5"), D("49.9"))


def test_a_broken_file_keeps_its_good_rows_and_says_why_it_refused_the_others(commissioner, world):
    rows = [
        GOOD_ROWS[1],  # line 2: good
        fingertips_row("99999", "E09000012", "Lindenford", "2023/24", "50"),  # 3
        fingertips_row("92517", "E05099999", "Nowhere", "2023/24", "50"),  # 4
        fingertips_row("92517", "E05009367", "Lindenford North", "2023/24", "fifty"),  # 5
        fingertips_row("92517", "E05009367", "Lindenford North", "2022/23", "120"),  # 6
        fingertips_row("92517", "E05009368", "Lindenford South", "2023/24", "47", "49", "45"),  # 7
        fingertips_row("92517", "E05009368", "Lindenford South", "last year", "47"),  # 8
        fingertips_row("92517", "E05009368", "Lindenford South", "2022/23", ""),  # 9
        fingertips_row("92517", "E09000012", "Lindenford", "2023/24", "51"),  # 10: repeats 2
        fingertips_row(
            "92517",
            "E09000012",
            "Lindenford",
            "2023/24",
            "40",
            **{"Category Type": "Deprivation deciles", "Category": "Most deprived"},
        ),
        fingertips_row("93014", "E05009367", "Lindenford North", "2023/24", "-4"),  # 12
        fingertips_row("92517", "E05009367", "Lindenford North", "2022/23", "47", "48", "49"),
        GOOD_ROWS[3],  # line 14: good
    ]

    job = run(commissioner, csv_bytes(rows))

    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.refused_count) == (2, 11)
    assert IndicatorValue.objects.count() == 2
    report = report_by_line(job)
    assert report[2]["outcome"] == report[14]["outcome"] == "created"
    expected = {
        3: "Indicator ID: No indicator has the code “99999”.",
        4: "Area Code: “E05099999” is not the code of one of the portal's areas, nor England",
        5: "Value: “fifty” is not a number.",
        6: "Value: The value is 120, but this indicator is a percentage: give 0 to 100.",
        7: "Lower CI 95.0 limit: The lower limit (49.0) is above the upper limit (45.0).",
        8: "Time period: “last year” is not a period we recognise.",
        9: "Value: The value is empty.",
        10: "Line 2 already gave a value for this indicator, area and period.",
        11: "This row is for part of the population (Category: Most deprived).",
        12: "Value: The value is -4, but a rate per 100,000 cannot be negative.",
        13: "Value: The value (47.0) is outside its own confidence limits (48.0 to 49.0).",
    }
    for line, message in expected.items():
        assert report[line]["outcome"] == "refused", line
        assert any(m.startswith(message) for m in report[line]["messages"]), (line, report[line])


def test_our_own_short_column_names_work_with_a_source(commissioner, world):
    header = [
        "indicator",
        "area_code",
        "period",
        "value",
        "lower_ci",
        "upper_ci",
        "count",
        "denominator",
        "source",
        "notes",
    ]
    rows = [
        {
            "indicator": "92517",
            "area_code": "e05009367",
            "period": "2023",
            "value": "48",
            "lower_ci": "",
            "upper_ci": "",
            "count": "48",
            "denominator": "100",
            "source": "Local survey",
            "notes": "ignored",
        }
    ]
    job = run(commissioner, csv_bytes(rows, header))
    assert job.created_count == 1
    value = IndicatorValue.objects.get()
    assert (value.area, value.period, value.source) == (world["north"], "2023", "Local survey")


def test_a_file_saved_by_excel_in_windows_1252_is_read(commissioner, world):
    world["north"].name = "Lindenford Nørth"
    world["north"].save()
    row = fingertips_row("92517", "E05009367", "Lindenford Nørth \N{EN DASH} ward", "2023/24", "47")
    job = run(commissioner, csv_bytes([row], encoding="cp1252"))
    assert job.created_count == 1
    assert job.report[0]["area_name"] == "Lindenford Nørth \N{EN DASH} ward"


def test_a_byte_order_mark_does_not_hide_the_first_column(commissioner, world):
    job = run(commissioner, "\ufeff".encode() + csv_bytes(GOOD_ROWS[1:2]))
    assert job.created_count == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (
            b"Indicator ID,Area Code,Value\n92517,E09000012,50\n",
            "The file has no Time period column",
        ),
        (b"Indicator ID,Area Code,Time period,Value\n", "has no rows of values"),
        ("Indicator ID,Area Code\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04rest of a workbook", "an Excel workbook"),
        (b"Indicator ID,Area Code,Time period,Value\n\x81\x8d\x8f,x,y,z\n", "not in the UTF-8"),
        (
            b"Indicator ID,indicator,Area Code,Time period,Value\n1,1,E1,2023,4\n",
            "both give the Indicator ID",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_whole_with_a_reason(
    commissioner, world, data, message
):
    with pytest.raises(ValidationError) as error:
        run(commissioner, data)
    assert message in " ".join(error.value.message_dict["file"])
    assert not IndicatorImport.objects.exists()


def test_the_upload_page_imports_a_small_file_at_once_and_shows_its_report(
    client, commissioner, world
):
    client.force_login(commissioner)
    upload = SimpleUploadedFile("breastfeeding.csv", csv_bytes(GOOD_ROWS), "text/csv")
    response = client.post(reverse("commissioning:indicator_import"), {"file": upload})
    job = IndicatorImport.objects.get()
    assert response.url == reverse("commissioning:indicator_import_detail", args=[job.pk])

    page = client.get(response.url)
    html = page.content.decode()
    assert "“breastfeeding.csv” is imported: 4 created, 0 updated, 0 unchanged, 0 refused." in html
    assert "E05009367" in html and "2021 - 23" in html
    assert 'http-equiv="refresh"' not in html  # finished, so the page stops refreshing
    refused = client.get(response.url + "?outcome=refused").content.decode()
    assert "No rows were refused." in refused


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("values.xlsx", b"PK\x03\x04", "“values.xlsx” is not a CSV file."),
        ("values.csv", b"", "The submitted file is empty."),
        ("values.csv", b"PK\x03\x04zip", "This looks like an Excel workbook"),
    ],
)
def test_the_upload_page_says_why_it_refused_a_file(client, commissioner, name, content, message):
    client.force_login(commissioner)
    upload = SimpleUploadedFile(name, content, "text/csv")
    response = client.post(reverse("commissioning:indicator_import"), {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IndicatorImport.objects.exists()


def test_too_large_a_file_is_refused(client, commissioner, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 10)
    monkeypatch.setattr("commissioning.forms.evidence.MAX_IMPORT_BYTES", 10)
    client.force_login(commissioner)
    upload = SimpleUploadedFile("big.csv", csv_bytes(GOOD_ROWS), "text/csv")
    response = client.post(reverse("commissioning:indicator_import"), {"file": upload})
    assert "split it into smaller files" in response.content.decode()


def test_a_windows_1252_upload_is_flagged_on_the_page(client, commissioner, world):
    client.force_login(commissioner)
    row = fingertips_row("92517", "E05009367", "Lindenførd North", "2023/24", "47")
    upload = SimpleUploadedFile("old.csv", csv_bytes([row], encoding="cp1252"), "text/csv")
    response = client.post(reverse("commissioning:indicator_import"), {"file": upload}, follow=True)
    assert "read as Windows-1252" in response.content.decode()


def test_a_large_file_runs_as_a_celery_task_with_progress(
    client, commissioner, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "INLINE_ROWS", 2)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    client.force_login(commissioner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = run(commissioner, csv_bytes(GOOD_ROWS))
    assert job.status == ImportStatus.QUEUED
    page = client.get(reverse("commissioning:indicator_import_detail", args=[job.pk]))
    html = page.content.decode()
    assert 'http-equiv="refresh" content="3"' in html
    assert "0 of 4 rows processed (0%)." in html
    assert "The report appears when the import finishes." in html

    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == (ImportStatus.DONE, 4, 4)
    # The task can run again (a retry, or a second worker) and changes nothing.
    assert tasks.indicator_import_run(job.pk) == ImportStatus.DONE
    job.refresh_from_db()
    assert job.created_count == 4 and len(job.report) == 4
    assert IndicatorValue.objects.count() == 3


def test_a_large_import_does_not_query_once_a_row(commissioner, monkeypatch):
    monkeypatch.setattr(imports, "INLINE_ROWS", 10_000)  # run it here rather than queue it
    borough = AreaFactory(ons_code="E09000099")
    Area.objects.bulk_create(
        [
            Area(name=f"Ward {n}", ons_code=f"E05{n:06d}", level=AreaLevel.WARD, parent=borough)
            for n in range(500)
        ]
    )
    IndicatorFactory(code="92517")
    rows = [
        fingertips_row("92517", f"E05{n:06d}", "", f"{2010 + y}/{(11 + y) % 100:02d}", "50")
        for n in range(500)
        for y in range(10)
    ]
    data = csv_bytes(rows)
    with CaptureQueriesContext(connection) as first:
        job = run(commissioner, data)
    assert job.created_count == 5000
    with CaptureQueriesContext(connection) as second:
        again = run(commissioner, data)
    assert again.unchanged_count == 5000
    # Reading, three batches of 2,000 rows (a read and an upsert each, in its own transaction),
    # progress after each, and the job's own rows: nowhere near one a row.
    assert len(first.captured_queries) < 60
    assert len(second.captured_queries) < 60


def test_the_template_has_the_documented_columns_and_reads_back(client, commissioner):
    client.force_login(commissioner)
    response = client.get(reverse("commissioning:indicator_import_template"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, _example = list(csv.reader(io.StringIO(text)))
    assert header == [column.heading for column in imports.IMPORT_COLUMNS]
    assert header[:6] == [
        "Indicator ID",
        "Indicator Name",
        "Area Code",
        "Area Name",
        "Time period",
        "Value",
    ]
    parsed = imports.indicator_file_read(data=text.encode())
    assert len(parsed.rows) == 1
    page = client.get(reverse("commissioning:indicator_import")).content.decode()
    for column in imports.IMPORT_COLUMNS:
        assert column.heading in page


def test_a_commissioner_sees_their_own_imports_and_a_network_admin_sees_all(
    client, commissioner, network_admin
):
    colleague = UserFactory()
    MembershipFactory(user=colleague, organisation=CommissioningBodyFactory())
    mine = IndicatorImportFactory(uploaded_by=commissioner, original_name="mine.csv")
    theirs = IndicatorImportFactory(uploaded_by=colleague, original_name="theirs.csv")

    client.force_login(commissioner)
    listed = client.get(reverse("commissioning:indicator_import")).content.decode()
    assert "mine.csv" in listed and "theirs.csv" not in listed
    detail = reverse("commissioning:indicator_import_detail", args=[theirs.pk])
    assert client.get(detail).status_code == 404
    mine_page = client.get(reverse("commissioning:indicator_import_detail", args=[mine.pk]))
    assert "No indicator has the code" in mine_page.content.decode()

    client.force_login(network_admin)
    listed = client.get(reverse("commissioning:indicator_import")).content.decode()
    assert "mine.csv" in listed and "theirs.csv" in listed
    assert client.get(detail).status_code == 200


def test_providers_cannot_import(client, provider):
    client.force_login(provider)
    upload = SimpleUploadedFile("values.csv", csv_bytes(GOOD_ROWS), "text/csv")
    assert (
        client.post(reverse("commissioning:indicator_import"), {"file": upload}).status_code == 403
    )
    assert not IndicatorImport.objects.exists()
