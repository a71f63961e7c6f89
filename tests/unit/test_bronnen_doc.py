"""docs/bronnen.md lists exactly the warnings ``validate --streng`` still gives for the shipped files.

The acceptance line of issue 13: every shipped workflow passes ``validate --streng``, or its remaining warnings
are listed in docs/bronnen.md. The table marked ``<!-- validate --streng -->`` is that list (file, key, message;
no line numbers, which move with every edit), compared here with the command's own output.
"""

from __future__ import annotations

import re

from tests.conftest import ROOT, run_r2c
from tests.markdown import marked_tables, plain

DOC = ROOT / "docs" / "bronnen.md"
WARNING = re.compile(r"^(?P<file>.+?):\d+: waarschuwing: \[(?P<key>[^\]]*)\] (?P<message>.*)$")


def test_the_list_of_remaining_warnings_is_what_validate_streng_reports() -> None:
    result = run_r2c("workflows", "validate", "--streng", env={"R2C_DEFINITIES": ""})
    reported = []
    for line in result.stdout.splitlines():
        found = WARNING.match(line)
        assert found, f"validate --streng reports more than warnings on the shipped files: {line}"
        reported.append((found["file"], found["key"], found["message"]))
    listed = [(plain(row["bestand"]), plain(row["sleutel"]), plain(row["waarschuwing"]))
              for row in marked_tables(DOC.read_text(encoding="utf-8"))["validate --streng"]]
    assert listed == reported, (
        "docs/bronnen.md, 'Waarschuwingen van validate --streng', is not what the command reports now:\n"
        + "\n".join(f"| `{f}` | `{k}` | {m} |" for f, k, m in reported))
    assert result.returncode == (1 if reported else 0), result.stderr
