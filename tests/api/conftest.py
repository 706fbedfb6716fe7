import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cutover.modes.registry import domain_names
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.testing import set_store_mode


@pytest.fixture
def staff():
    """An operator (the test module says which database access it needs)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("operator", password="not-a-real-password", is_staff=True)


@pytest.fixture
def api(staff) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff).key}")
    return client


@pytest.fixture(params=MIGRATION_ORDER, ids=lambda mode: mode.value)
def every_mode(request) -> StoreMode:
    """Every domain in one mode: the API answers the same in each."""
    for name in domain_names():
        set_store_mode(name, request.param)
    return request.param
