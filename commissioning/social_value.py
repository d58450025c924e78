"""The social value check: does the Public Services (Social Value) Act 2012 apply to a business
case at its estimated value? A pure function of the figures, so it is easy to test and to explain."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import CommissioningRoute, ContractThreshold

# The Act is about public services contracts; these routes all end in one.
CONTRACT_ROUTES = frozenset(
    {CommissioningRoute.CONTRACT, CommissioningRoute.PARTNERSHIP, CommissioningRoute.JOINT}
)

PENNY = Decimal("0.01")


def estimated_total_value(annual_value: Decimal, term_months: int) -> Decimal:
    """The value over the whole term, to the penny: annual value times months, over 12."""
    return (Decimal(annual_value) * term_months / 12).quantize(PENNY, rounding=ROUND_HALF_UP)


def pounds(amount: Decimal) -> str:
    """£720,000, or £1,234.50 when there are pence."""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


def term_text(months: int) -> str:
    """'3 years', '1 year', '18 months'."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'' if years == 1 else 's'}"
    return f"{months} month{'' if months == 1 else 's'}"


def _who(threshold: ContractThreshold) -> str:
    name = threshold.name.strip()
    return name[:1].lower() + name[1:]


@dataclass(frozen=True)
class SocialValueCheck:
    """The result, with the figures it was worked out from.

    applies is None when the check cannot be made yet: a contract route with no threshold chosen.
    """

    route: str
    total_value: Decimal
    term_months: int
    threshold_amount: Decimal | None
    threshold_name: str
    applies: bool | None
    message: str

    @property
    def is_grant(self) -> bool:
        return self.route == CommissioningRoute.GRANT

    @property
    def complete(self) -> bool:
        return self.applies is not None


def social_value_check(
    *,
    annual_value: Decimal,
    term_months: int,
    route: str,
    threshold: ContractThreshold | None,
) -> SocialValueCheck:
    """Whether the Social Value Act applies: to a services contract (a contract, partnership
    agreement or joint commissioning) whose estimated value is at or above the threshold for the
    kind of body letting it. Not to grants, though the Compact expects social value considered."""
    total = estimated_total_value(annual_value, term_months)
    amount = threshold.amount if threshold is not None else None
    name = threshold.name if threshold is not None else ""
    value_text = f"Estimated value {pounds(total)} over {term_text(term_months)}"

    if route == CommissioningRoute.GRANT:
        return SocialValueCheck(
            route=route,
            total_value=total,
            term_months=term_months,
            threshold_amount=amount,
            threshold_name=name,
            applies=False,
            message=(
                f"{value_text}, as a grant: the Social Value Act does not apply to grants, but the "
                "network's Compact expects social value to be considered anyway."
            ),
        )
    if route not in CONTRACT_ROUTES:
        raise ValueError(f"Unknown commissioning route: {route!r}")
    if threshold is None:
        return SocialValueCheck(
            route=route,
            total_value=total,
            term_months=term_months,
            threshold_amount=None,
            threshold_name="",
            applies=None,
            message=(
                f"{value_text}: choose the kind of body letting the contract, so that it can be "
                "compared with the right threshold."
            ),
        )
    if total > amount:
        position = "is above"
    elif total == amount:
        position = "is at"
    else:
        position = "is below"
    applies = total >= amount
    verdict = (
        "the Social Value Act applies."
        if applies
        else "the Social Value Act does not apply, but the network's Compact expects social "
        "value to be considered anyway."
    )
    return SocialValueCheck(
        route=route,
        total_value=total,
        term_months=term_months,
        threshold_amount=amount,
        threshold_name=name,
        applies=applies,
        message=f"{value_text} {position} the {pounds(amount)} threshold for {_who(threshold)}: "
        f"{verdict}",
    )
