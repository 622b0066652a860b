from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from analysis.models import Dataset
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
