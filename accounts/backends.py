"""Django's model permissions, sharing the role checks' query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.roles import granted, read_with_granted, with_granted


class PermissionBackend(ModelBackend):
    """ModelBackend, but the permissions that come from the user's groups are the
    ones the role checks already read (accounts.roles.granted): a page that asks
    both "is this a trainee?" and "may they read reports?" reads them once. The
    user's own permissions are read as ModelBackend reads them."""

    def get_user(self, user_id):
        """The signed-in user of a request, with their groups' permissions read
        in the same query (a join: one row per permission), so the roles every
        page checks cost no query of their own. Measured against two plain
        queries in tests/benchmarks/RESULTS.md (issue 19)."""
        users = get_user_model()._default_manager.filter(pk=user_id)
        user = read_with_granted(with_granted(users))
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_group_permissions(user_obj, obj)
        return set(granted(user_obj))
