from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _apply_role_permissions(sender, plan=None, **kwargs) -> None:
    # After `migrate` only (plan is its list of migrations, maybe empty), not after
    # `flush` (plan None): a flush is followed by the data it restores, groups
    # included (tests with serialized_rollback), and must not race it.
    if plan is None:
        return
    from accounts.roles import apply_role_permissions

    apply_role_permissions()


def _create_cache_table(sender, using="default", **kwargs) -> None:
    # The database cache's table, when the settings use one: `migrate` alone
    # gives a working site. Idempotent, as createcachetable is.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and cohorts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import mail  # noqa: F401 - registers the deploy check on mail
        from accounts.language import apply_preferred_language

        # The user's preferred language, from sign-in on (accounts/language.py).
        user_logged_in.connect(
            apply_preferred_language, dispatch_uid="rulewise-preferred-language"
        )

        # After every migrate (and test database flush): the roles get what
        # accounts/roles.py says, whatever their groups are named.
        post_migrate.connect(_apply_role_permissions, dispatch_uid="rulewise-roles")
        post_migrate.connect(
            _create_cache_table, sender=self, dispatch_uid="rulewise-cache-table"
        )
