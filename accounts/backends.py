"""Django's model permissions, read in one query and shared with the role checks."""

from django.contrib.auth.backends import ModelBackend

from accounts.roles import granted


class PermissionBackend(ModelBackend):
    """ModelBackend, but a user's own and group permissions come from one query
    (accounts.roles.granted), the one the role checks already made: a page that
    asks both "is this a trainee?" and "may they read reports?" pays once."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(granted(user_obj))
        return user_obj._perm_cache
