from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "roles",
        "is_active",
    ]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "-"


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "trainee_count", "supervisor_names", "created_at"]
    search_fields = ["name", "trainees__username", "trainees__last_name"]
    filter_horizontal = ["trainees", "supervisors"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_trainees=Count("trainees", distinct=True))
            .prefetch_related("supervisors")
        )

    @admin.display(description=_("trainees"), ordering="n_trainees")
    def trainee_count(self, obj: Cohort) -> int:
        return obj.n_trainees

    @admin.display(description=_("supervisors"))
    def supervisor_names(self, obj: Cohort) -> str:
        return ", ".join(s.display_name for s in obj.supervisors.all()) or "-"
