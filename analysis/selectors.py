from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from analysis.models import Analysis, Dataset
from core.errors import NotFound


def dataset_list_for_user(*, user: User | AnonymousUser, venture_id: int | None = None) -> QuerySet[Dataset]:
    if not user.is_authenticated:
        return Dataset.objects.none()
    datasets = Dataset.objects.filter(venture__team__memberships__user=user).select_related("venture__team")
    return datasets.filter(venture_id=venture_id) if venture_id is not None else datasets


def dataset_get_for_user(*, user: User | AnonymousUser, dataset_id: int) -> Dataset:
    dataset = dataset_list_for_user(user=user).filter(pk=dataset_id).first()
    if dataset is None:
        raise NotFound()
    return dataset


def analysis_list_for_user(
    *, user: User | AnonymousUser, dataset_id: int | None = None, venture_id: int | None = None
) -> QuerySet[Analysis]:
    if not user.is_authenticated:
        return Analysis.objects.none()
    analyses = Analysis.objects.filter(dataset__venture__team__memberships__user=user).select_related("dataset__venture__team")
    if dataset_id is not None:
        analyses = analyses.filter(dataset_id=dataset_id)
    if venture_id is not None:
        analyses = analyses.filter(dataset__venture_id=venture_id)
    return analyses


def analysis_get_for_user(*, user: User | AnonymousUser, analysis_id: int) -> Analysis:
    analysis = analysis_list_for_user(user=user).filter(pk=analysis_id).first()
    if analysis is None:
        raise NotFound()
    return analysis


def analysis_latest(*, venture_id: int, kind: str) -> Analysis | None:
    """The venture's most recent successful run of a kind (for its dashboard and canvas evidence)."""
    return (
        Analysis.objects.filter(dataset__venture_id=venture_id, kind=kind, status=Analysis.Status.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )
