"""docs/workflows.md, the tutorial, runs: its files are the files, its commands give the output it shows.

Marks (HTML comments right above a fenced block):
``bestand: PATH``  the block is the whole file PATH;
``uit: PATH``      the block is a run of consecutive lines of PATH;
``draai``          each line is an ``r2c`` command run from the repository root; it must succeed;
``uitvoer``        what the last command of the ``draai`` block before it prints (stdout, then stderr);
                   a line ``...`` stands for any number of lines;
``uitvoer met tikfout``  what that command prints when the example has ``duut`` for ``duur`` (step 9).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from r2c.definitions import load_all
from tests.conftest import MODEL_DIR, ROOT
from tests.markdown import marked_blocks

DOC = ROOT / "docs" / "workflows.md"
EXAMPLE = ROOT / "docs" / "examples" / "voorbeeldstad.yaml"
BLOCKS = marked_blocks(DOC.read_text(encoding="utf-8"))


def _marked(prefix: str) -> list[tuple[str, str]]:
    return [(mark.removeprefix(prefix).strip(), body) for mark, _, body in BLOCKS if mark.startswith(prefix)]


def _runs() -> list[tuple[str, str | None]]:
    """Each command of a ``draai`` block, with the ``uitvoer`` block that follows it, if any (last command)."""
    runs: list[tuple[str, str | None]] = []
    for mark, _, body in BLOCKS:
        if mark == "draai":
            runs += [(line, None) for line in body.splitlines() if line.strip()]
        elif mark == "uitvoer":
            assert runs and runs[-1][1] is None, "an 'uitvoer' block without a 'draai' block before it"
            runs[-1] = (runs[-1][0], body)
    return runs


def run_as_shown(line: str, *, cwd: Path, out_dir: Path) -> subprocess.CompletedProcess:
    """Run a command line from the doc (``VAR=x .venv/bin/r2c ... [> file]``) with this checkout's r2c."""
    words = shlex.split(line)
    env = {}
    while "=" in words[0] and words[0].split("=", 1)[0].isupper():
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    assert words[0] == ".venv/bin/r2c", f"not an r2c command: {line}"
    args, target = words[1:], None
    if ">" in args:
        at = args.index(">")
        args, target = args[:at], out_dir / args[at + 1]
    env.setdefault("R2C_DEFINITIES", "")  # empty: the defaults under cwd, whatever the caller's environment says
    result = subprocess.run([sys.executable, "-c", "from r2c.cli import main; main()", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    if target is not None:
        target.write_text(result.stdout, encoding="utf-8")
    return result


def matches(shown: str, actual: str) -> bool:
    """Whether ``actual`` is ``shown``, where a line ``...`` in ``shown`` stands for any run of lines."""
    want, got = shown.splitlines(), actual.splitlines()
    parts = [[]]
    for line in want:
        if line == "...":
            parts.append([])
        else:
            parts[-1].append(line)
    if len(parts) == 1:
        return want == got
    first, *middle, last = parts
    if got[:len(first)] != first or (last and got[-len(last):] != last):
        return False
    at, end = len(first), len(got) - len(last)
    for part in middle:
        while at + len(part) <= end and got[at:at + len(part)] != part:
            at += 1
        if at + len(part) > end:
            return False
        at += len(part)
    return at <= end


def test_the_example_validates_on_its_own() -> None:
    loaded, problems = load_all([EXAMPLE], base_paths=[MODEL_DIR])
    assert problems == []
    assert [item.definition.key for item in loaded if item.file == str(EXAMPLE.relative_to(ROOT))] == [
        "voorbeeldstad@2025.1"]


def test_the_tutorial_shows_the_whole_example_and_the_gouda_migration() -> None:
    assert {path for path, _ in _marked("bestand:")} == {"docs/examples/voorbeeldstad.yaml",
                                                           "workflows/gouda-2026.yaml"}


@pytest.mark.parametrize(("path", "body"), _marked("bestand:"), ids=lambda v: v if "\n" not in v else "")
def test_a_file_block_is_the_file_as_it_is(path: str, body: str) -> None:
    assert body == (ROOT / path).read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "body"), _marked("uit:"), ids=lambda v: v.splitlines()[0] if v else v)
def test_an_excerpt_is_a_run_of_lines_of_its_file(path: str, body: str) -> None:
    lines, part = (ROOT / path).read_text(encoding="utf-8").splitlines(), body.splitlines()
    assert any(lines[i:i + len(part)] == part for i in range(len(lines))), (
        f"this block in docs/workflows.md is not in {path} as it stands:\n{body}")


def test_the_steps_together_are_the_whole_example() -> None:
    shown = {line for path, body in _marked("uit:") if path == "docs/examples/voorbeeldstad.yaml"
             for line in body.splitlines()}
    left_out = [line for line in EXAMPLE.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#") and line not in shown]
    assert not left_out, "lines of the example that no step explains:\n" + "\n".join(left_out)


@pytest.mark.parametrize(("line", "output"), _runs(), ids=lambda v: v if v and "\n" not in v else "")
def test_a_command_runs_and_prints_what_the_tutorial_shows(line: str, output: str | None, tmp_path) -> None:
    result = run_as_shown(line, cwd=ROOT, out_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    if output is not None:
        assert matches(output, result.stdout + result.stderr), (
            f"`{line}` printed:\n{result.stdout}{result.stderr}\nthe tutorial shows:\n{output}")
    if "--format svg" in line:
        assert next(tmp_path.glob("*.svg")).read_text(encoding="utf-8").startswith("<svg")


def test_the_typo_in_step_9_gives_the_message_shown(tmp_path: Path) -> None:
    [(_, shown)] = _marked("uitvoer met tikfout")
    [command] = [line for line, _ in _runs() if " workflows validate " in line]
    copy = tmp_path / EXAMPLE.relative_to(ROOT)
    copy.parent.mkdir(parents=True)
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count("duur: 12 weken") == 1
    copy.write_text(text.replace("duur: 12 weken", "duut: 12 weken"), encoding="utf-8")
    (tmp_path / "model_verordening").symlink_to(MODEL_DIR)
    result = run_as_shown(command, cwd=tmp_path, out_dir=tmp_path)
    assert result.returncode == 1
    assert matches(shown, result.stdout + result.stderr), result.stdout + result.stderr
