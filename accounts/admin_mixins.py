"""Shared admin behaviour."""


class RecordAdminMixin:
    """Records that are evidence (attempts, certificates, the audit log): staff read
    them in the admin, nobody adds, edits or deletes them there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
