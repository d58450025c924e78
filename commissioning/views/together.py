"""Pages for the chances to commission together (the overlaps the network finds between
different bodies' plans) and the joint commissioning exercises made from them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import form_errors_from
from accounts.models import Organisation
from accounts.workflow import TransitionNotAllowed

from .. import access
from ..filters_together import SHOW_OPEN, JointExerciseFilter, OverlapPairFilter
from ..forms.together import (
    JointContributionForm,
    JointExerciseForm,
    JointExerciseStatusForm,
    OverlapDismissForm,
    financial_year_choices,
)
from ..models import JOINT_EXERCISE_TRANSITIONS, JointExerciseStatus
from ..selectors import together as selectors
from ..services import joint as joint_services
from ..services import overlaps as overlap_services


def _acting_body_ids(user) -> list[int]:
    return list(access.bodies_of(user).values_list("pk", flat=True))


def _current_body_id(request) -> int | None:
    organisation = request.portal.organisation
    return organisation.pk if organisation is not None else None


# Chances to commission together


@access.planner_required
@require_GET
def together(request):
    pairs = access.overlap_pairs_visible_to(request.user).select_related(
        "first_body", "second_body", "dismissed_by", "exercise"
    )
    filterset = OverlapPairFilter(request.GET, queryset=pairs)
    found = filterset.qs.order_by("-score", "key")
    page = Paginator(found, selectors.PAIR_PAGE_SIZE).get_page(request.GET.get("page"))
    acting = set(_acting_body_ids(request.user))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "commissioning/together/together.html",
        {
            "filter": filterset,
            "page": page,
            "rows": selectors.overlap_pair_rows(page.object_list, acting_body_ids=acting),
            "show": (filterset.form.cleaned_data.get("show") if filterset.is_valid() else None)
            or SHOW_OPEN,
            "last_found": selectors.overlaps_last_found(),
            "query": query.urlencode(),
        },
    )


def _pair_row(request, pair):
    return selectors.overlap_pair_rows([pair], acting_body_ids=set(_acting_body_ids(request.user)))[
        0
    ]


@login_required
def overlap_dismiss(request, pk: int):
    pair = access.get_overlap_pair_to_act_on(request.user, pk)
    if pair.dismissed_at is not None or pair.exercise_id is not None:
        messages.info(
            request,
            "This overlap was already dismissed."
            if pair.dismissed_at
            else "This overlap is already a joint exercise.",
        )
        return redirect("commissioning:together")
    form = OverlapDismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            overlap_services.overlap_pair_dismiss(
                actor=request.user, pair=pair, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                "The overlap is dismissed. It stays dismissed when the overlaps are found again.",
            )
            return redirect("commissioning:together")
    return render(
        request,
        "commissioning/together/overlap_dismiss.html",
        {"pair": pair, "row": _pair_row(request, pair), "form": form},
    )


# Joint exercises


def _exercise_form_data(form: JointExerciseForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "purpose": data["purpose"],
        "lead": data["lead"],
        "model": data["model"],
        "partners": list(data["partners"]),
        "outcome": data["outcome"],
        "categories": list(data["categories"]),
        "areas": list(data["areas"]),
    }


@login_required
def joint_exercise_create(request, pk: int):
    pair = access.get_overlap_pair_to_act_on(request.user, pk)
    if pair.dismissed_at is not None or pair.exercise_id is not None:
        if pair.exercise_id is not None:
            messages.info(request, "This overlap is already a joint exercise.")
            return redirect(pair.exercise.get_absolute_url())
        messages.info(request, "This overlap was dismissed, so it cannot become a joint exercise.")
        return redirect("commissioning:together")
    row = _pair_row(request, pair)
    acting = _acting_body_ids(request.user)
    initial = selectors.exercise_initial_from_pair(
        pair, row, acting_body_ids=acting, current_body_id=_current_body_id(request)
    )
    form = JointExerciseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            exercise = joint_services.joint_exercise_create(
                actor=request.user, pair=pair, **_exercise_form_data(form)
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"The joint exercise “{exercise.title}” is proposed. Next, record each "
                "partner's contribution for each year.",
            )
            return redirect(exercise.get_absolute_url())
    return render(
        request,
        "commissioning/together/joint_exercise_form.html",
        {"form": form, "pair": pair, "row": row, "exercise": None},
    )


@access.planner_required
@require_GET
def joint_exercise_list(request):
    visible = access.joint_exercises_visible_to(request.user)
    filterset = JointExerciseFilter(request.GET, queryset=visible)
    exercises = selectors.joint_exercise_list_queryset(filterset.qs).order_by("-created_at", "-pk")
    page = Paginator(exercises, selectors.EXERCISE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "commissioning/together/joint_exercise_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
@require_GET
def joint_exercise(request, pk: int):
    exercise = access.get_joint_exercise_for_user(request.user, pk)
    parties = joint_services.exercise_parties(exercise)
    acting = set(_acting_body_ids(request.user))
    is_party = bool(acting & {body.pk for body in parties})
    return render(
        request,
        "commissioning/together/joint_exercise.html",
        {
            "exercise": exercise,
            "parties": parties,
            "table": selectors.contribution_table(exercise, parties),
            "pairs": selectors.joint_exercise_pairs(exercise, acting_body_ids=acting),
            "history": selectors.joint_exercise_history(exercise),
            "is_party": is_party,
            "is_finished": exercise.status in joint_services.FINISHED,
            "next_statuses": [
                (status, JointExerciseStatus(status).label)
                for status in JointExerciseStatus.values
                if status in JOINT_EXERCISE_TRANSITIONS[exercise.status]
            ]
            if is_party
            else [],
        },
    )


def _refuse_if_finished(request, exercise) -> bool:
    if exercise.status in joint_services.FINISHED:
        messages.error(
            request,
            f"This exercise is {exercise.get_status_display().lower()}, so it cannot be changed.",
        )
        return True
    return False


@login_required
def joint_exercise_edit(request, pk: int):
    exercise = access.get_joint_exercise_to_edit(request.user, pk)
    if _refuse_if_finished(request, exercise):
        return redirect(exercise.get_absolute_url())
    initial = {
        "title": exercise.title,
        "purpose": exercise.purpose,
        "lead": exercise.lead_id,
        "model": exercise.model,
        "partners": list(exercise.partners.values_list("body_id", flat=True)),
        "outcome": exercise.outcome_id,
        "categories": list(exercise.categories.values_list("pk", flat=True)),
        "areas": list(exercise.areas.values_list("pk", flat=True)),
    }
    form = JointExerciseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            joint_services.joint_exercise_update(
                actor=request.user, exercise=exercise, **_exercise_form_data(form)
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "Saved the changes to the exercise.")
            return redirect(exercise.get_absolute_url())
    return render(
        request,
        "commissioning/together/joint_exercise_form.html",
        {"form": form, "pair": None, "row": None, "exercise": exercise},
    )


@login_required
def joint_contribution_edit(request, pk: int):
    """Add or change one party's contribution for one financial year; ?body=&year= opens the
    form on an existing figure. The remove button takes it away."""
    exercise = access.get_joint_exercise_to_edit(request.user, pk)
    if _refuse_if_finished(request, exercise):
        return redirect(exercise.get_absolute_url())
    parties = joint_services.exercise_parties(exercise)
    party_ids = [body.pk for body in parties]
    recorded = {(c.body_id, c.financial_year): c.amount for c in exercise.contributions.all()}
    years = financial_year_choices({year for _body, year in recorded})
    initial = {}
    try:
        body_id, year = int(request.GET.get("body", "")), int(request.GET.get("year", ""))
    except ValueError:
        body_id = year = None
    if body_id in party_ids and year is not None:
        initial = {"body": body_id, "financial_year": year, "amount": recorded.get((body_id, year))}
    else:
        acting = _acting_body_ids(request.user)
        initial = {"body": next((pk for pk in party_ids if pk in acting), exercise.lead_id)}
    form = JointContributionForm(
        request.POST or None,
        initial=initial,
        parties=Organisation.objects.filter(pk__in=party_ids).order_by("name"),
        years=years,
    )
    removing = request.method == "POST" and "remove" in request.POST
    if removing:
        form.fields["amount"].required = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if removing:
                joint_services.joint_contribution_remove(
                    actor=request.user,
                    exercise=exercise,
                    body=data["body"],
                    financial_year=data["financial_year"],
                )
            else:
                joint_services.joint_contribution_set(
                    actor=request.user,
                    exercise=exercise,
                    body=data["body"],
                    financial_year=data["financial_year"],
                    amount=data["amount"],
                )
        except ValidationError as error:
            form_errors_from(error, form)
        except PermissionDenied as error:
            form.add_error("body", str(error))
        else:
            label = dict(years)[data["financial_year"]]
            if removing:
                messages.success(request, f"Removed {data['body']}'s contribution for {label}.")
            else:
                messages.success(
                    request,
                    f"Saved {data['body']}'s contribution of £{data['amount']:,.2f} for {label}.",
                )
            return redirect(exercise.get_absolute_url())
    return render(
        request,
        "commissioning/together/joint_contribution_form.html",
        {
            "exercise": exercise,
            "form": form,
            "editing": bool(initial.get("amount") is not None),
        },
    )


@login_required
@require_POST
def joint_exercise_status(request, pk: int):
    exercise = access.get_joint_exercise_to_edit(request.user, pk)
    form = JointExerciseStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status the exercise can move to.")
        return redirect(exercise.get_absolute_url())
    try:
        moved = joint_services.joint_exercise_status_change(
            actor=request.user,
            exercise=exercise,
            to_status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except TransitionNotAllowed:
        messages.error(
            request,
            f"The exercise is {exercise.get_status_display().lower()}, so it cannot become "
            f"{JointExerciseStatus(form.cleaned_data['status']).label.lower()}.",
        )
    else:
        messages.success(request, f"The exercise is now {moved.get_status_display().lower()}.")
    return redirect(exercise.get_absolute_url())
