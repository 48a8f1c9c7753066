from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _apply_role_permissions(sender, **kwargs) -> None:
    from accounts.roles import apply_role_permissions

    apply_role_permissions()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and cohorts")

    def ready(self) -> None:
        # After every migrate (and test database flush): the roles get what
        # accounts/roles.py says, whatever their groups are named.
        post_migrate.connect(_apply_role_permissions, dispatch_uid="rulewise-roles")
