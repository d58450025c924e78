"""The demo network's shared evidence base and plans: an outcomes framework with indicator data for
Lindenford's wards, needs assessments, business cases, a forward plan of intentions, a provider's
subscription and a joint commissioning exercise. Idempotent: it adds only what is missing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, User
from commissioning.models import (
    BusinessCase,
    BusinessCaseOption,
    BusinessCaseStatus,
    CommissioningIntention,
    CommissioningRoute,
    ComparatorValue,
    ContractThreshold,
    Indicator,
    IndicatorUnit,
    IndicatorValue,
    IntentionStatus,
    JointContribution,
    JointExercise,
    JointModel,
    JointPartner,
    NeedsAssessment,
    Outcome,
    Polarity,
    StrategyPriority,
    Subscription,
    Visibility,
)
from commissioning.reference_data import contract_thresholds_ensure
from commissioning.services.overlaps import overlap_pairs_refresh
from providers.models import Area, ClientGroup, ServiceCategory

ENGLAND = "E92000001"
PERIODS = [(f"{year}/{str(year + 1)[-2:]}", date(year, 4, 1)) for year in range(2019, 2024)]
LOWER, HIGHER = Polarity.LOWER_IS_BETTER, Polarity.HIGHER_IS_BETTER
PCT, PER_1000, PER_100K = (
    IndicatorUnit.PERCENT,
    IndicatorUnit.RATE_PER_1000,
    IndicatorUnit.RATE_PER_100000,
)

# (priority, [(outcome, [category codes], [(code, name, unit, polarity, England's value)])])
FRAMEWORK = [
    (
        "Healthy, independent lives",
        [
            (
                "Older people stay connected and independent",
                ["befriending", "day-services", "dementia-support"],
                [
                    ("LON-01", "Adults who feel lonely often or always", PCT, LOWER, "7.1"),
                    ("DEM-01", "Estimated dementia diagnosis rate (aged 65 and over)", PCT, HIGHER, "63.0"),
                ],
            ),
            (
                "People look after their mental and physical health",
                ["mental-health", "physical-activity", "substance-misuse"],
                [
                    ("SMK-01", "Smoking prevalence in adults (18 and over)", PCT, LOWER, "12.7"),
                    ("ACT-01", "Physically active adults", PCT, HIGHER, "67.1"),
                    ("SH-01", "Emergency admissions for intentional self-harm", PER_100K, LOWER, "163.9"),
                ],
            ),
            (
                "Carers are supported",
                ["carers-support"],
                [("CAR-01", "Carers satisfied with the support they receive", PCT, HIGHER, "36.3")],
            ),
        ],
    ),
    (
        "Children and young people thrive",
        [
            (
                "Fewer children grow up in poverty",
                ["family-support", "welfare-benefits"],
                [("CLI-01", "Children in relative low income families (under 16s)", PCT, LOWER, "19.9")],
            ),
            (
                "Young people are in education, training or work",
                ["mentoring", "job-search"],
                [("NEET-01", "16 to 17 year olds not in education, employment or training", PCT, LOWER, "5.2")],
            ),
        ],
    ),
    (
        "Safe and connected communities",
        [
            (
                "People are safe from domestic abuse",
                ["domestic-abuse", "victim-support"],
                [("DA-01", "Domestic abuse-related incidents and crimes", PER_1000, LOWER, "30.6")],
            ),
        ],
    ),
    (
        "A fair local economy",
        [
            (
                "Households manage money and debt",
                ["debt-advice", "welfare-benefits", "housing-advice"],
                [("FP-01", "Households in fuel poverty", PCT, LOWER, "13.1")],
            ),
            (
                "People have a secure home",
                ["homelessness", "tenancy-sustainment"],
                [("HL-01", "Households owed a homelessness duty", PER_1000, LOWER, "12.4")],
            ),
        ],
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Cast:
    bodies: dict[str, Organisation]
    commissioner: User
    provider: User
    wards: list[Area]
    borough: Area


def _category(code: str) -> ServiceCategory:
    return ServiceCategory.objects.get(code=code)


def _framework(*, rng: random.Random, wards: list[Area]) -> int:
    made = 0
    for p, (priority_name, outcomes) in enumerate(FRAMEWORK):
        priority, _ = StrategyPriority.objects.get_or_create(
            name=priority_name, defaults={"position": p}
        )
        for o, (outcome_name, categories, indicators) in enumerate(outcomes):
            outcome, created = Outcome.objects.get_or_create(
                priority=priority, name=outcome_name, defaults={"position": o}
            )
            if created:
                outcome.categories.set([_category(code) for code in categories])
            for code, name, unit, polarity, england in indicators:
                indicator, created = Indicator.objects.get_or_create(
                    code=code,
                    defaults={
                        "outcome": outcome,
                        "name": name,
                        "unit": unit,
                        "polarity": polarity,
                        "comparator_name": "England",
                        "comparator_code": ENGLAND,
                        "source": "Synthetic demo data shaped like public health profiles",
                    },
                )
                if created:
                    made += _indicator_data(indicator, Decimal(england), rng=rng, wards=wards)
    return made


def _indicator_data(
    indicator: Indicator, england: Decimal, *, rng: random.Random, wards: list[Area]
) -> int:
    """Five years of values for every ward, some better and some worse than England's, each with
    95% confidence limits, and England's own values."""
    ComparatorValue.objects.bulk_create(
        [
            ComparatorValue(
                indicator=indicator,
                period=label,
                period_start=start,
                value=england + Decimal(step - 2) / 10,
            )
            for step, (label, start) in enumerate(PERIODS)
        ]
    )
    rows = []
    for ward in wards:
        level = england * Decimal(rng.uniform(0.6, 1.5))
        drift = Decimal(rng.uniform(-0.04, 0.04))
        for step, (label, start) in enumerate(PERIODS):
            value = (level * (1 + drift * step)).quantize(Decimal("0.1"))
            if indicator.unit == IndicatorUnit.PERCENT:
                value = min(max(value, Decimal("0.5")), Decimal("99"))
            width = (value * Decimal(rng.uniform(0.08, 0.2))).quantize(Decimal("0.1"))
            rows.append(
                IndicatorValue(
                    indicator=indicator,
                    area=ward,
                    period=label,
                    period_start=start,
                    value=value,
                    lower_ci=max(value - width, Decimal(0)),
                    upper_ci=value + width,
                    source=indicator.source,
                )
            )
    IndicatorValue.objects.bulk_create(rows)
    return len(rows)


def _assessments(cast: Cast) -> int:
    today = timezone.localdate()
    specs = [
        (
            "Loneliness and social isolation among older people",
            "adult_social_care",
            ["befriending", "day-services"],
            cast.wards,
            ["older-people", "carers"],
            ["LON-01", "DEM-01"],
            Visibility.PUBLIC,
            today - timedelta(days=300),
        ),
        (
            "Financial hardship and problem debt",
            "public_health",
            ["debt-advice", "welfare-benefits"],
            cast.wards[3:9],
            ["families", "unemployed", "refugees-asylum-seekers"],
            ["FP-01", "CLI-01"],
            Visibility.PUBLIC,
            today - timedelta(days=200),
        ),
        (
            "Young people's emotional wellbeing and mental health",
            "nhs",
            ["mental-health", "mentoring"],
            cast.wards,
            ["young-people", "lgbtq"],
            ["SH-01", "NEET-01"],
            Visibility.NETWORK,
            today - timedelta(days=500),
        ),
        (
            "Domestic abuse: needs of victims and their children",
            "police",
            ["domestic-abuse", "victim-support"],
            cast.wards,
            ["women", "children", "black-minority-ethnic"],
            ["DA-01"],
            Visibility.NETWORK,
            today - timedelta(days=800),  # past its review date: the library shows it as overdue
        ),
    ]
    made = 0
    for title, body, themes, areas, groups, indicators, visibility, assessed in specs:
        if NeedsAssessment.objects.filter(title=title).exists():
            continue
        assessment = NeedsAssessment.objects.create(
            title=title,
            body=cast.bodies[body],
            summary=(
                f"{title}: what local data, providers and residents told us, ward by ward, and "
                "where need is highest."
            ),
            data_sources="Public health profiles; ward surveys; provider returns.",
            method="Analysis of indicator data, a survey of local providers, and focus groups.",
            involvement=(
                "Lindenford CVS ran two workshops with voluntary groups, and residents with lived "
                "experience reviewed the findings before they were published."
            ),
            assessed_on=assessed,
            next_review_on=assessed + timedelta(days=730),
            visibility=visibility,
            created_by=cast.commissioner,
        )
        assessment.themes.set([_category(code) for code in themes])
        assessment.areas.set(areas)
        assessment.population_groups.set(ClientGroup.objects.filter(code__in=groups))
        assessment.indicators.set(Indicator.objects.filter(code__in=indicators))
        made += 1
    return made


def _business_cases(cast: Cast) -> int:
    if BusinessCase.objects.filter(title="Community befriending for older people").exists():
        return 0
    threshold = ContractThreshold.objects.filter(code="light-touch").first()
    befriending = BusinessCase.objects.create(
        body=cast.bodies["adult_social_care"],
        title="Community befriending for older people",
        need="One in eight older residents say they feel lonely often or always, above England.",
        evidence="Loneliness needs assessment; adult social care survey.",
        estimated_annual_value=Decimal("240000"),
        term_months=36,
        route=CommissioningRoute.GRANT,
        threshold=threshold,
        social_value_applies=False,
        social_value_checked_at=timezone.now(),
        social_value_considered="Volunteering hours and local employment of coordinators.",
        status=BusinessCaseStatus.APPROVED,
        approved_by=cast.commissioner,
        approved_at=timezone.now(),
        created_by=cast.commissioner,
    )
    befriending.outcomes.set(Outcome.objects.filter(name__startswith="Older people"))
    befriending.needs_assessments.set(
        NeedsAssessment.objects.filter(title__startswith="Loneliness")
    )
    BusinessCaseOption.objects.bulk_create(
        [
            BusinessCaseOption(
                business_case=befriending,
                title="A grant programme for local befriending groups",
                description="Three-year grants to a consortium of community groups.",
                direct_costs=Decimal("200000"),
                overhead_costs=Decimal("40000"),
                preferred=True,
            ),
            BusinessCaseOption(
                business_case=befriending,
                title="Deliver in-house through the council's day services",
                description="Council staff coordinate volunteers from the day centres.",
                in_house=True,
                direct_costs=Decimal("230000"),
                overhead_costs=Decimal("75000"),
            ),
        ]
    )
    debt = BusinessCase.objects.create(
        body=cast.bodies["public_health"],
        title="Money and debt advice hub",
        need="Fuel poverty and problem debt are rising in the eastern wards.",
        estimated_annual_value=Decimal("310000"),
        term_months=36,
        route=CommissioningRoute.CONTRACT,
        threshold=ContractThreshold.objects.filter(code="sub-central").first(),
        social_value_applies=True,
        social_value_checked_at=timezone.now(),
        social_value_considered="Advice in community languages, and local volunteering.",
        created_by=cast.commissioner,
    )
    debt.outcomes.set(Outcome.objects.filter(name__startswith="Households manage"))
    BusinessCaseOption.objects.create(
        business_case=debt,
        title="Contract for an advice hub with outreach",
        description="One contract, consortium bids welcome.",
        direct_costs=Decimal("260000"),
        overhead_costs=Decimal("50000"),
        preferred=True,
    )
    return 2


def _intentions(cast: Cast) -> int:
    ward = {area.name: area for area in cast.wards}
    now = timezone.now()
    specs = [
        ("Money and debt advice in the eastern wards", "public_health", "Households manage",
         ["debt-advice", "welfare-benefits"], ["Eastgate", "Northcote", "Millbrook"],
         CommissioningRoute.CONTRACT, date(2027, 4, 1), IntentionStatus.PUBLISHED),
        ("Tenancy sustainment and debt advice for council tenants", "housing", "People have a secure",
         ["tenancy-sustainment", "debt-advice"], ["Eastgate", "Fairmead"],
         CommissioningRoute.CONTRACT, date(2027, 7, 1), IntentionStatus.PUBLISHED),
        ("Community befriending for older people", "adult_social_care", "Older people",
         ["befriending"], list(ward), CommissioningRoute.GRANT, date(2027, 4, 1),
         IntentionStatus.PUBLISHED),
        ("Social prescribing and befriending link workers", "nhs", "Older people",
         ["befriending", "mental-health"], ["Abbey Fields", "Brookside", "Castle Hill"],
         CommissioningRoute.CONTRACT, date(2027, 10, 1), IntentionStatus.PUBLISHED),
        ("Youth mentoring for 16 and 17 year olds", "children", "Young people",
         ["mentoring"], ["Kingsmead", "Westfield"], CommissioningRoute.GRANT, date(2027, 9, 1),
         IntentionStatus.PUBLISHED),
        ("Domestic abuse outreach and refuge support", "police", "People are safe",
         ["domestic-abuse"], list(ward), CommissioningRoute.PARTNERSHIP, date(2028, 1, 1),
         IntentionStatus.PUBLISHED),
        ("ESOL and digital skills for job seekers", "employment", "Young people",
         ["english-language", "digital-skills"], ["St Anne's", "Dene Park"],
         CommissioningRoute.GRANT, date(2027, 6, 1), IntentionStatus.DRAFT),
    ]  # fmt: skip
    made = 0
    for title, body, outcome, categories, areas, route, starts, status in specs:
        if CommissioningIntention.objects.filter(title=title).exists():
            continue
        low = Decimal(random.Random(title).randint(8, 30) * 10000)
        intention = CommissioningIntention.objects.create(
            body=cast.bodies[body],
            title=title,
            summary=f"{title}, to start in {starts:%B %Y}. We want to hear from local providers.",
            outcome=Outcome.objects.filter(name__startswith=outcome).first(),
            value_low=low,
            value_high=low * 2,
            route=route,
            consultation_on=starts - timedelta(days=240),
            tender_on=starts - timedelta(days=150),
            start_on=starts,
            end_on=starts + timedelta(days=3 * 365),
            contact_name=cast.commissioner.get_full_name() or "Commissioning team",
            contact_email=cast.commissioner.email,
            status=status,
            published_at=now if status == IntentionStatus.PUBLISHED else None,
            created_by=cast.commissioner,
        )
        intention.categories.set([_category(code) for code in categories])
        intention.areas.set([ward[name] for name in areas])
        made += 1
    return made


def _subscription(cast: Cast) -> int:
    subscription, created = Subscription.objects.get_or_create(user=cast.provider)
    if created:
        subscription.categories.set([_category("advice")])
        subscription.areas.set([cast.borough])
    return int(created)


def _joint_exercise(cast: Cast) -> int:
    title = "Lindenford money advice partnership"
    if JointExercise.objects.filter(title=title).exists():
        return 0
    exercise = JointExercise.objects.create(
        title=title,
        purpose="Public health and housing fund one advice service rather than two.",
        lead=cast.bodies["public_health"],
        model=JointModel.ALIGNED,
        outcome=Outcome.objects.filter(name__startswith="Households manage").first(),
        created_by=cast.commissioner,
    )
    exercise.categories.set([_category("debt-advice")])
    JointPartner.objects.create(exercise=exercise, body=cast.bodies["housing"], role="Co-funder")
    JointContribution.objects.bulk_create(
        [
            JointContribution(exercise=exercise, body=body, financial_year=year, amount=amount)
            for year in (2027, 2028, 2029)
            for body, amount in (
                (cast.bodies["public_health"], Decimal("180000")),
                (cast.bodies["housing"], Decimal("90000")),
            )
        ]
    )
    return 1


def seed_planning(
    *, bodies: dict[str, Organisation], commissioner: User, provider: User, borough: Area
) -> dict[str, int]:
    wards = list(Area.objects.filter(parent=borough).order_by("name"))
    cast = Cast(bodies, commissioner, provider, wards, borough)
    rng = random.Random(4)
    contract_thresholds_ensure()
    counts = {
        "indicator_values": _framework(rng=rng, wards=wards),
        "needs_assessments": _assessments(cast),
        "business_cases": _business_cases(cast),
        "intentions": _intentions(cast),
        "subscriptions": _subscription(cast),
        "joint_exercises": _joint_exercise(cast),
    }
    overlap_pairs_refresh()  # the chances to commission together, as the beat schedule would
    return counts
