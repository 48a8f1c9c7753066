from accounts.roles import is_instructor, is_supervisor, is_trainee


def roles(request) -> dict:
    """Expose the signed-in user's roles to templates (lazily, one query at most)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "is_trainee": False,
            "is_instructor": False,
            "is_supervisor": False,
            "can_view_reports": False,
        }
    roles = {
        "is_trainee": is_trainee(user),
        "is_instructor": is_instructor(user),
        "is_supervisor": is_supervisor(user),
    }
    # From the roles already loaded: no permission queries on every page.
    roles["can_view_reports"] = roles["is_instructor"] or roles["is_supervisor"]
    return roles
