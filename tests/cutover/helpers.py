from django.contrib.auth.models import Permission, User


def make_user(username: str = "alice", *perms: str, staff: bool = True, superuser: bool = False) -> User:
    user = User.objects.create_user(
        username=username, password="x-for-tests-only", is_staff=staff, is_superuser=superuser
    )
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)  # fresh: permission cache empty
