"""axe-core in the browser tests: the serious and critical violations fail a test."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SERIOUS = {"serious", "critical"}


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} serious/critical axe violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"      {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary}")
    return "\n".join(lines)


class AxeAudit:
    """Run axe on pages; collect the serious and critical violations of each."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.failures: list[str] = []
        self.minor: list[str] = []

    def check(self, page: Page) -> None:
        page.wait_for_load_state("load")
        violations = self.axe.run(page).response["violations"]
        serious = [v for v in violations if v["impact"] in SERIOUS]
        if serious:
            self.failures.append(format_violations(page.url, serious))
        self.minor += [
            f"{page.url}: [{v['impact']}] {v['id']}"
            for v in violations
            if v["impact"] not in SERIOUS
        ]
