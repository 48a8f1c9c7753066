"""Where a posted attempt page sends the trainee: a small value the page's form
makes and the save service reads (it knows how many pages the attempt has)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Navigation:
    """Where the trainee asked to go after saving: an action and, for "page", where."""

    action: str  # save, next, prev, page, review, submit
    page: int | None = None

    def target(self, page: int, pages: int) -> int | None:
        """The page this sends the trainee to from `page` of `pages`; None for
        the summary page and the result (review, submit). A page number beyond
        the attempt stays on the page."""
        if self.action in ("review", "submit"):
            return None
        if self.action == "next":
            return min(page + 1, pages)
        if self.action == "prev":
            return max(page - 1, 1)
        if self.action == "page" and self.page is not None and 1 <= self.page <= pages:
            return self.page
        return page
