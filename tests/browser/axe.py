"""WCAG 2.1 AA with axe-core (vendored in tests/browser/vendor, see its README) on a Playwright page.

The pages forbid inline scripts (CSP), so the page's context must be made with ``bypass_csp=True`` for axe to be
injected; the CSP itself is checked by the tests that read the headers.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page) -> list[dict]:
    """The WCAG 2.1 A and AA violations axe finds on ``page`` as it is now (each with its nodes)."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return result["violations"]


def assert_accessible(page, where: str = "") -> None:
    """Fails with each violation's rule, help text and the HTML of its first nodes."""
    found = violations(page)
    lines = [f"{v['id']} ({v['impact']}): {v['help']}: " + " | ".join(n["html"][:160] for n in v["nodes"][:3])
             for v in found]
    assert not found, f"axe vond {len(found)} WCAG 2.1 AA-problemen{' op ' + where if where else ''}:\n" + "\n".join(lines)
