"""The network's starting reference data: a service taxonomy, client groups, languages and quality
marks. Network admins change them afterwards on their own pages."""

from __future__ import annotations

from .models import ClientGroup, Language, QualityMark, ServiceCategory

# (code, name, [(code, name), ...]) : top-level categories and their children.
SERVICE_CATEGORIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("advice", "Advice and information", [
        ("debt-advice", "Debt advice"),
        ("welfare-benefits", "Welfare benefits advice"),
        ("housing-advice", "Housing advice"),
        ("immigration-advice", "Immigration advice"),
        ("employment-advice", "Employment advice"),
    ]),
    ("health", "Health and wellbeing", [
        ("mental-health", "Mental health support"),
        ("physical-activity", "Physical activity"),
        ("healthy-eating", "Healthy eating and food"),
        ("substance-misuse", "Drug and alcohol support"),
        ("sexual-health", "Sexual health"),
    ]),
    ("care", "Care and support", [
        ("befriending", "Befriending"),
        ("carers-support", "Support for carers"),
        ("day-services", "Day services"),
        ("home-support", "Home support"),
        ("dementia-support", "Dementia support"),
    ]),
    ("children-young-people", "Children and young people", [
        ("youth-clubs", "Youth clubs"),
        ("early-years", "Early years"),
        ("mentoring", "Mentoring"),
        ("homework-clubs", "Homework clubs"),
        ("family-support", "Family support"),
    ]),
    ("community-safety", "Community safety", [
        ("domestic-abuse", "Domestic abuse support"),
        ("victim-support", "Victim support"),
        ("youth-violence", "Youth violence prevention"),
        ("hate-crime", "Hate crime support"),
    ]),
    ("employment-skills", "Employment and skills", [
        ("job-search", "Job search support"),
        ("english-language", "English language classes (ESOL)"),
        ("digital-skills", "Digital skills"),
        ("volunteering", "Volunteering"),
    ]),
    ("housing", "Housing and homelessness", [
        ("homelessness", "Homelessness support"),
        ("tenancy-sustainment", "Tenancy sustainment"),
    ]),
    ("community", "Community development", [
        ("community-centres", "Community centres"),
        ("arts-culture", "Arts and culture"),
        ("environment", "Environment and green spaces"),
        ("faith-based", "Faith-based community work"),
    ]),
]  # fmt: skip

# (code, name, usually excluded)
CLIENT_GROUPS: list[tuple[str, str, bool]] = [
    ("older-people", "Older people", False),
    ("children", "Children", False),
    ("young-people", "Young people", False),
    ("families", "Families", False),
    ("carers", "Carers", False),
    ("disabled-people", "Disabled people", False),
    ("people-with-learning-disabilities", "People with learning disabilities", True),
    ("people-with-mental-ill-health", "People with mental ill health", False),
    ("refugees-asylum-seekers", "Refugees and asylum seekers", True),
    ("black-minority-ethnic", "Black, Asian and minority ethnic communities", True),
    ("lgbtq", "LGBTQ+ people", True),
    ("homeless-people", "People who are homeless", True),
    ("gypsy-roma-traveller", "Gypsy, Roma and Traveller communities", True),
    ("ex-offenders", "People leaving prison", True),
    ("women", "Women", False),
    ("men", "Men", False),
    ("unemployed", "People out of work", False),
    ("everyone", "Everyone", False),
]

LANGUAGES: list[tuple[str, str]] = [
    ("en", "English"),
    ("cy", "Welsh"),
    ("bn", "Bengali"),
    ("tr", "Turkish"),
    ("so", "Somali"),
    ("pl", "Polish"),
    ("ur", "Urdu"),
    ("pa", "Punjabi"),
    ("yi", "Yiddish"),
    ("es", "Spanish"),
    ("pt", "Portuguese"),
    ("ar", "Arabic"),
    ("fr", "French"),
    ("ro", "Romanian"),
    ("bfi", "British Sign Language"),
]

QUALITY_MARKS: list[tuple[str, str, str]] = [
    ("trusted-charity", "Trusted Charity", "NCVO"),
    ("investors-in-people", "Investors in People", "Investors in People"),
    ("investors-in-volunteers", "Investors in Volunteers", "NCVO"),
    ("advice-quality-standard", "Advice Quality Standard", "Advice Services Alliance"),
    ("matrix", "Matrix Standard", "Department for Education"),
    ("cyber-essentials", "Cyber Essentials", "National Cyber Security Centre"),
]


def reference_data_ensure() -> int:
    """Create whatever of the starting reference data is missing; returns how many rows it added."""
    added = 0
    for code, name, children in SERVICE_CATEGORIES:
        parent, created = ServiceCategory.objects.get_or_create(code=code, defaults={"name": name})
        added += created
        for child_code, child_name in children:
            _, created = ServiceCategory.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "parent": parent}
            )
            added += created
    for code, name, excluded in CLIENT_GROUPS:
        _, created = ClientGroup.objects.get_or_create(
            code=code, defaults={"name": name, "usually_excluded": excluded}
        )
        added += created
    for code, name in LANGUAGES:
        _, created = Language.objects.get_or_create(code=code, defaults={"name": name})
        added += created
    for code, name, awarded_by in QUALITY_MARKS:
        _, created = QualityMark.objects.get_or_create(
            code=code, defaults={"name": name, "awarded_by": awarded_by}
        )
        added += created
    return added
