"""The project's authentication backend reads less than Django's and answers the same, through
Django's public API only."""

import inspect

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from claims.models import StaffProfile
from claims_site.auth import StaffModelBackend

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def user():
    user = User.objects.create_user(username="pat", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_claim"))
    group = Group.objects.create(name="testers")
    group.permissions.add(Permission.objects.get(codename="change_region"))
    user.groups.add(group)
    return user


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_own_and_group_permissions_in_one_query(user, django_assert_num_queries):
    fresh = _fresh(user)
    with django_assert_num_queries(1):
        perms = StaffModelBackend().get_all_permissions(fresh)
        assert fresh.has_perm("claims.view_claim")
        assert fresh.has_perm("claims.change_region")
    assert perms == ModelBackend().get_all_permissions(_fresh(user))
    assert {"claims.view_claim", "claims.change_region"} <= perms


def test_a_role_taken_away_applies_to_the_next_request(user):
    user.groups.clear()
    fresh = _fresh(user)
    assert fresh.has_perm("claims.view_claim")
    assert not fresh.has_perm("claims.change_region")


@pytest.mark.parametrize(("active", "superuser", "expected"), [(False, True, 0), (True, True, -1)])
def test_inactive_users_have_nothing_and_superusers_everything(user, active, superuser, expected):
    User.objects.filter(pk=user.pk).update(is_active=active, is_superuser=superuser)
    perms = StaffModelBackend().get_all_permissions(_fresh(user))
    assert len(perms) == (Permission.objects.count() if expected == -1 else expected)


def test_the_user_comes_with_the_staff_profile(user, django_assert_num_queries):
    StaffProfile.objects.update_or_create(user=user, defaults={"time_zone": "Europe/Madrid"})
    with django_assert_num_queries(1):
        loaded = StaffModelBackend().get_user(user.pk)
        assert loaded.staff_profile.time_zone == "Europe/Madrid"


def test_a_user_without_a_profile_loads_and_an_unknown_id_is_nobody(django_assert_num_queries):
    bare = User.objects.create_user(username="bare")
    StaffProfile.objects.filter(user=bare).delete()
    with django_assert_num_queries(1):
        assert getattr(StaffModelBackend().get_user(bare.pk), "staff_profile", None) is None
    assert StaffModelBackend().get_user(10**9) is None


def test_the_backend_uses_no_private_helper_of_django():
    source = inspect.getsource(inspect.getmodule(StaffModelBackend))
    assert "._" not in source.replace("._CACHE", "")  # no _get_*_permissions, _default_manager
    assert "_perm_cache" not in source


def test_permissions_are_read_once_per_request(user, django_assert_num_queries):
    fresh = _fresh(user)
    StaffModelBackend().get_all_permissions(fresh)
    with django_assert_num_queries(0):
        assert fresh.has_perm("claims.view_claim")
        assert not fresh.has_perm("claims.delete_claim")
