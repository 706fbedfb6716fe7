import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from api.permissions import api_permissions
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.testing import set_store_mode


@pytest.fixture(autouse=True)
def _fresh_login_throttle():
    cache.clear()  # DRF's throttle counts live in the cache, which outlives a test's database
    yield


@pytest.fixture
def staff():
    """An operator holding every permission the API declares (the test module says which database access it
    needs)."""
    return staff_user("operator", *api_permissions())


def staff_user(username: str, *permissions: str, is_staff: bool = True):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(username, password="not-a-real-password", is_staff=is_staff)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


@pytest.fixture
def api(staff) -> APIClient:
    return token_client(staff)


@pytest.fixture(params=MIGRATION_ORDER, ids=lambda mode: mode.value)
def every_mode(request) -> StoreMode:
    """Every domain in one mode: the API answers the same in each."""
    for name in domain_names():
        set_store_mode(name, request.param)
    return request.param
