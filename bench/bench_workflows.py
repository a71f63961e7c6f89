"""Benchmark of the workflow core: loading many gemeente files, and firing events (issue 2, "Performance").

Measured in one run (figures and their meaning: docs/performance.md):

a. ``load_400``: 400 generated gemeente files (each ``extends: vng-model-2024@2024.1``) loaded with
   ``load_catalog`` and compiled with ``Engine.build_all``; median of 5 repeats, split load / build.
   Target: under 2 s.
b. ``fire_r2c``: one event fired with ``Workflow.fire`` on the model workflow, along a realistic lifecycle
   (indienen ... teruggeven, 9 events, with the data the voorwaarden need). Target: under 100 us median.
c. The same lifecycle (same states, same transitions, same 9 events) on a bare, flat ``transitions.Machine``
   and on python-statemachine, and the ratios r2c / those.
d. ``hierarchy``: the same lifecycle on a bare ``HierarchicalMachine`` (phases as parents, separator '.'),
   the machine class r2c builds on, against the flat ``Machine``: what the hierarchy costs, and the ratio
   r2c / the bare machine of its own kind.

Run: ``.venv/bin/python -m bench.bench_workflows`` (or ``make bench`` for every benchmark). Sizes:
``R2C_BENCH_WORKFLOWS_FILES`` (N_FILES), ``R2C_BENCH_WORKFLOWS_SAMPLES`` (samples per fire measurement; the warm-up
is a tenth of it).
The machine these run on is shared and noisy: every figure is a median over many samples, after a warm-up.
"""

from __future__ import annotations

import gc
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "model_verordening"
MODEL_ID = "vng-model-2024"
MODEL_REF = "vng-model-2024@2024.1"

N_FILES = int(os.environ.get("R2C_BENCH_WORKFLOWS_FILES", "400"))
LOAD_REPEATS = 5
LOAD_TARGET_S = 2.0
FIRE_TARGET_US = 100.0
SAMPLES = int(os.environ.get("R2C_BENCH_WORKFLOWS_SAMPLES", "2000"))  # per fire measurement
WARMUP = SAMPLES // 10  # 200 by default

# -- a. generated gemeente files -----------------------------------------------------------------------------

_BESLIS = ["6 weken", "8 weken", "8 weken", "10 weken", "12 weken", "40 werkdagen"]
_HERSTEL = ["2 weken", "3 weken", "4 weken", "10 werkdagen"]
_UITVOERING = ["1 jaar", "2 jaar", "18 maanden", "3 jaar"]
_VERANTWOORDING = ["13 weken", "4 maanden", "6 maanden", "8 weken"]
_ZIENSWIJZE = ["2 weken", "3 weken", "10 werkdagen"]
_EIGEN_CRITERIA = [
    ("bestaande_taak", "Het gaat om een taak die de gemeente nu zelf uitvoert"),
    ("geworteld", "De initiatiefnemer is geworteld in de wijk of het dorp"),
    ("meerwaarde", "Het plan heeft maatschappelijke meerwaarde"),
    ("prestatie", "De initiatiefnemer kan de prestatie aantoonbaar leveren"),
    ("steun", "De betrokken bewoners steunen het plan"),
    ("geen_schade", "Het plan brengt niemand onevenredig schade toe"),
    ("rechtsvorm", "De initiatiefnemer is een rechtspersoon, bv. stichting of vereniging"),
    ("kosten", "De kosten zijn niet hoger dan de kosten nu"),
    ("continuiteit", "De taak wordt de hele afgesproken periode uitgevoerd"),
    ("geen_markt", "Het is geen regulier marktinitiatief"),
    ("duurzaam", "Het plan draagt bij aan een duurzame leefomgeving"),
    ("inclusief", "Iedereen in de buurt kan meedoen"),
]
_EXTRA_VEREISTEN = [
    ("handtekening", "Handtekening van de aanvrager"),
    ("doelgroep", "Doelgroep en verwacht bereik"),
    ("planning", "Planning van de uitvoering"),
    ("risico", "Risico en hoe die worden beheerst"),
    ("financien", "Kosten-batenraming en eigen financiele inbreng"),
    ("kvk", "Inschrijving in het handelsregister"),
]
_EXTRA_STATEN = [
    ("toetsing", "kennismaking", "Kennismakingsgesprek", "We spreken u en de betrokken ambtenaren.",
     "toetsing.beoordelen"),
    ("toetsing", "schouw", "Schouw ter plaatse", "We bekijken samen de plek waar de taak wordt uitgevoerd.",
     "toetsing.beoordelen"),
    ("overname", "proefperiode", "Proefperiode", "U voert de taak eerst een korte periode op proef uit.",
     "overname.voorbereiden"),
]


def gemeente_yaml(i: int) -> str:
    """One generated gemeente file (about 40-80 lines, like workflows/gouda.yaml), deterministic in ``i``."""
    rng = random.Random(i)
    ident = f"bench-gemeente-{i:03d}"
    lines = [
        f"# Gegenereerd voor bench/bench_workflows.py: gemeente {i}.",
        "soort: gemeente",
        f"id: {ident}",
        f"naam: Gemeente Benchdorp {i}, uitdaagrecht",
        f'versie: "{2024 + i % 2}.{1 + i % 3}"',
        f"geldig_vanaf: {2024 + i % 2}-{1 + i % 12:02d}-01",
        f"extends: {MODEL_REF}",
        "bron:",
        f"  titel: Participatieverordening Benchdorp {i}",
        f"  cvdr: CVDR{700000 + i}",
        f"  adres: https://lokaleregelgeving.overheid.nl/CVDR{700000 + i}/1",
        f"  datum: {2024 + i % 2}-01-01",
        f"  geverifieerd: {'true' if i % 4 else 'false'}",
        "  opmerking: Gegenereerd bestand; termijnen, criteria en rollen varieren per gemeente.",
        "",
        "termijnen:",
        "  beslistermijn:",
        f"    duur: {rng.choice(_BESLIS)}",
        f"    artikel: art. {rng.randint(3, 9)} lid 1",
        "  hersteltermijn:",
        f"    duur: {rng.choice(_HERSTEL)}",
        "  uitvoeringsperiode:",
        f"    duur: {rng.choice(_UITVOERING)}",
        "    geverifieerd: false",
    ]
    if i % 2:
        lines += ["  verantwoordingstermijn:", f"    duur: {rng.choice(_VERANTWOORDING)}",
                  "    herinneringen: [10 werkdagen voor]"]
    if i % 3 == 1:
        lines += ["  zienswijzetermijn:", f"    duur: {rng.choice(_ZIENSWIJZE)}"]
    lines.append("")
    if i % 3 == 0:  # a gemeente's own criteria, replacing the model's
        lines.append("criteria: !vervang")
        for key, label in rng.sample(_EIGEN_CRITERIA, rng.randint(5, 9)):
            lines.append(f"  {key}: {{label: '{label}'}}")
    else:  # one criterion more, one relabelled
        key, label = rng.choice(_EIGEN_CRITERIA[9:])
        lines += ["criteria:", f"  {key}: {{label: '{label}', artikel: art. 6}}",
                  "  haalbaarheid: {label: De initiatiefnemer kan de taak aantoonbaar uitvoeren, geverifieerd: true}"]
    lines += ["", "vereisten:"]
    for key, label in rng.sample(_EXTRA_VEREISTEN, rng.randint(1, 3)):
        lines.append(f"  {key}: {{label: '{label}', verplicht: {'true' if rng.random() < 0.7 else 'false'}}}")
    lines += ["", "toelating:", "  wie: [inwoners, bewonersinitiatieven, maatschappelijke organisaties]",
              f"  artikel: art. {rng.randint(2, 5)}", ""]
    beslissers = ["college"]
    if i % 4 == 1:
        lines += ["rollen:", "  raad: {label: Gemeenteraad}", "  burgemeester: {label: Burgemeester}", ""]
        beslissers = ["college", "raad", "burgemeester"]
    elif i % 4 == 2:
        lines += ["rollen:", "  wethouder: {label: Portefeuillehouder}", ""]
        beslissers = ["college", "wethouder"]
    fasen: list[str] = []
    if i % 5 in (0, 3):
        fasen.append("  vooroverleg: {actief: false}")
    extra = _EXTRA_STATEN[i % len(_EXTRA_STATEN)] if i % 2 == 0 else None
    if extra:
        fase, staat, label, omschrijving, terug = extra
        fasen += [f"  {fase}:", "    staten:", f"      {staat}:", f"        label: {label}",
                  f"        omschrijving: {omschrijving}"]
    if fasen:
        lines += ["fasen:", *fasen, ""]
    lines += ["transities:"]
    for tid in ("toekennen", "toekennen_met_wijziging", "afwijzen"):
        lines.append(f"  {tid}: {{rollen: [{', '.join(beslissers)}]}}")
    if extra:
        fase, staat, label, _, terug = extra
        lines += [f"  {staat}_plannen:", f"    label: {label} plannen", f"    van: {terug}",
                  f"    naar: {fase}.{staat}", "    rollen: [behandelaar]", "    artikel: art. 7",
                  f"  {staat}_afgerond:", f"    label: {label} afgerond", f"    van: {fase}.{staat}",
                  f"    naar: {terug}", "    rollen: [behandelaar, teamleider]",
                  "    gegevens:", "      verslag: {type: tekst, max_lengte: 20000}"]
    if i % 3 == 2:
        lines += ["  subsidie_verlenen: null", "  overeenkomst_sluiten:", "    rollen: [college]",
                  "    opmerking: De verordening noemt een overeenkomst, geen subsidie."]
    elif i % 3 == 1:
        lines += ["  overeenkomst_sluiten: null", "  subsidie_verlenen:",
                  "    label: Subsidie verlenen voor de uitvoering", "    artikel: art. 9 lid 2"]
    lines += ["  verdagen:", f"    artikel: Awb 4:14, art. {rng.randint(5, 8)} lid 3"]
    return "\n".join(lines) + "\n"


def generate(folder: Path, n: int = N_FILES) -> list[Path]:
    """Write ``n`` gemeente files into ``folder``."""
    files = []
    for i in range(n):
        path = folder / f"bench-gemeente-{i:03d}.yaml"
        path.write_text(gemeente_yaml(i), encoding="utf-8")
        files.append(path)
    return files


class _GcMeter:
    """Time spent in the cyclic garbage collector, and collections per generation (via gc.callbacks)."""

    def __init__(self):
        self.ns = 0
        self.counts = [0, 0, 0]
        self._start = 0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter_ns()
        else:
            self.ns += time.perf_counter_ns() - self._start
            self.counts[info["generation"]] += 1

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


def bench_load(n: int = N_FILES, repeats: int = LOAD_REPEATS) -> dict[str, Any]:
    """Load ``n`` generated files and build their machines; median of ``repeats`` (after one warm-up run).

    Each run starts from the same heap (the previous catalog and engine are dropped and collected first).
    The figure is with the garbage collector as a host has it (on, default thresholds); the time it takes
    is reported, and the same work is repeated with the collector paused to show what pausing it would give.
    """
    from r2c.clock import FixedClock
    from r2c.definitions import load_catalog
    from r2c.engine import Engine

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))

    def once(paused: bool) -> tuple[int, int, int, int, list[int], int]:
        gc.collect()
        enabled = gc.isenabled()
        if paused:
            gc.disable()
        try:
            with _GcMeter() as meter:
                t0 = time.perf_counter_ns()
                catalog = load_catalog([tmp], base_paths=[MODEL_DIR])
                t1 = time.perf_counter_ns()
                engine = Engine(catalog, clock)
                built = engine.build_all()
                t2 = time.perf_counter_ns()
        finally:
            if enabled:
                gc.enable()
        assert built == n + 1, built  # the gemeenten and the model they extend
        tracked = len(gc.get_objects())
        del catalog, engine
        return t1 - t0, t2 - t1, t2 - t0, meter.ns, meter.counts, tracked

    with tempfile.TemporaryDirectory(prefix="r2c-bench-") as tmp:
        files = generate(Path(tmp), n)
        sizes = [len(f.read_text(encoding="utf-8").splitlines()) for f in files]
        first = once(False)
        runs = [once(False) for _ in range(repeats)]
        paused = [once(True) for _ in range(repeats)]
    gc.collect()
    total = _median_s(r[2] for r in runs)
    return {
        "files": n,
        "workflows_built": n + 1,
        "lines_per_file": {"min": min(sizes), "median": statistics.median(sizes), "max": max(sizes)},
        "repeats": repeats,
        "load_s": _median_s(r[0] for r in runs),
        "build_s": _median_s(r[1] for r in runs),
        "total_s": total,
        "total_s_all": [round(r[2] / 1e9, 3) for r in runs],
        "gc_s": _median_s(r[3] for r in runs),
        "gc_collections": runs[len(runs) // 2][4],
        "gc_tracked_objects_after": runs[0][5],
        "first_run_s": round(first[2] / 1e9, 3),
        "gc_paused": {
            "load_s": _median_s(r[0] for r in paused),
            "build_s": _median_s(r[1] for r in paused),
            "total_s": _median_s(r[2] for r in paused),
            "total_s_all": [round(r[2] / 1e9, 3) for r in paused],
        },
        "target_s": LOAD_TARGET_S,
        "meets_target": total < LOAD_TARGET_S,
    }


def _median_s(values) -> float:
    return round(statistics.median(values) / 1e9, 3)


# -- b. firing events ----------------------------------------------------------------------------------------

def lifecycle(definition) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """(event, rol, data, reason) along the happy path to 'uitgevoerd', with what the voorwaarden need."""
    beoordelingen = {k: {"oordeel": "voldoet", "motivering": "Uit het plan en het gesprek blijkt dat dit klopt."}
                     for k in definition.criteria}
    return [
        ("indienen", "initiatiefnemer",
         {"vereisten": list(definition.vereisten), "omschrijving": "Wij willen het groenonderhoud in de wijk doen."},
         None),
        ("in_behandeling_nemen", "behandelaar", {}, None),
        ("beoordelen", "behandelaar", {"beoordelingen": beoordelingen}, None),
        ("voorleggen", "behandelaar", {"weigering_op_andere_feiten": False}, None),
        ("toekennen", "college", {}, "Het plan voldoet aan alle criteria."),
        ("overeenkomst_sluiten", "college", {"budget": "12500.00", "startdatum": "2026-05-01"}, None),
        ("verantwoorden", "initiatiefnemer", {"verantwoording": "Het onderhoud is het hele jaar gedaan."}, None),
        ("verantwoording_beoordeeld", "behandelaar", {}, None),
        ("teruggeven", "college", {}, "De taak is afgerond."),
    ]


def _measure(run: Callable[[], Any], prepare: Callable[[], Any] | None, samples: int, warmup: int,
             gc_off: bool = True) -> list[int]:
    """ns per call of ``run`` (one lifecycle), ``prepare`` untimed before each; gc off while timing, as timeit."""
    for _ in range(warmup):
        if prepare:
            prepare()
        run()
    out = []
    gc.collect()
    enabled = gc.isenabled()
    if gc_off:
        gc.disable()
    try:
        clock = time.perf_counter_ns
        for _ in range(samples):
            if prepare:
                prepare()
            t0 = clock()
            run()
            out.append(clock() - t0)
    finally:
        if enabled:
            gc.enable()
    return out


def _per_event_us(samples_ns: list[int], events: int) -> dict[str, Any]:
    per = sorted(s / events / 1000 for s in samples_ns)
    q = statistics.quantiles(per, n=20)
    return {"median_us": round(statistics.median(per), 2), "p5_us": round(q[0], 2), "p95_us": round(q[-1], 2),
            "samples": len(per)}


def bench_fire_r2c(samples: int, warmup: int) -> dict[str, Any]:
    """Workflow.fire along the lifecycle on the model workflow: per event, and each event on its own."""
    from r2c.clock import FixedClock
    from r2c.definitions import load_catalog
    from r2c.engine import Actor, Engine

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    catalog = load_catalog([MODEL_DIR], base_paths=[])
    wf = Engine(catalog, clock).workflow(MODEL_ID)
    steps = [(event, Actor(f"{rol}-1", rol), data, reason) for event, rol, data, reason in lifecycle(wf.definition)]
    start = wf.start()

    def run():
        case = start
        for event, actor, data, reason in steps:
            case = wf.fire(case, event, actor=actor, clock=clock, data=data, reason=reason).case
        return case

    final = run()
    assert final.state == "afgesloten.uitgevoerd" and final.resultaat == "uitgevoerd", final
    result = _per_event_us(_measure(run, None, samples, warmup), len(steps))
    gc_on = _measure(run, None, samples, warmup, gc_off=False)
    result["median_us_gc_on"] = _per_event_us(gc_on, len(steps))["median_us"]

    # each event on its own (median over its own samples): where the per-event cost sits
    cases, case = [], start
    for event, actor, data, reason in steps:
        cases.append(case)
        case = wf.fire(case, event, actor=actor, clock=clock, data=data, reason=reason).case
    by_event = {}
    gc.disable()
    try:
        for (event, actor, data, reason), before in zip(steps, cases):
            times = []
            for _ in range(samples):
                t0 = time.perf_counter_ns()
                wf.fire(before, event, actor=actor, clock=clock, data=data, reason=reason)
                times.append(time.perf_counter_ns() - t0)
            by_event[event] = round(statistics.median(times) / 1000, 2)
    finally:
        gc.enable()
    result["by_event_us"] = by_event
    result["events_per_lifecycle"] = len(steps)
    result["target_us"] = FIRE_TARGET_US
    result["meets_target"] = result["median_us"] < FIRE_TARGET_US
    return result


def _model_graph():
    from r2c.definitions import load_catalog

    return load_catalog([MODEL_DIR], base_paths=[]).get(MODEL_ID)


def _path(loaded) -> list[str]:
    return [event for event, *_ in lifecycle(loaded.definition)]


def bench_fire_transitions(samples: int, warmup: int) -> dict[str, Any]:
    """The same states, transitions and events on a bare, flat transitions.Machine (no guards, model added once)."""
    from transitions import Machine

    loaded = _model_graph()
    graph = loaded.graph
    initial = loaded.definition.initieel

    class Model:
        pass

    model = Model()
    machine = Machine(model=model, states=list(graph.states), initial=initial, auto_transitions=False,
                      transitions=[{"trigger": e.event, "source": e.source, "dest": e.dest} for e in graph.edges])
    events = [machine.events[name] for name in _path(loaded)]

    def prepare():
        machine.set_state(initial, model)

    def run():
        for ev in events:
            ev.trigger(model)

    prepare(); run()
    assert model.state == "afgesloten.uitgevoerd", model.state
    result = _per_event_us(_measure(run, prepare, samples, warmup), len(events))
    result["transitions"] = len(graph.edges)
    return result


def bench_fire_statemachine(samples: int, warmup: int) -> dict[str, Any]:
    """The same states, transitions and events on python-statemachine (StateMachine, flat, no guards)."""
    import statemachine
    from statemachine import State, StateMachine

    loaded = _model_graph()
    graph = loaded.graph
    initial = loaded.definition.initieel

    def sid(name: str) -> str:
        return name.replace(".", "__")

    attrs: dict[str, Any] = {}
    states = {}
    for name, staat in graph.states.items():
        states[name] = attrs[sid(name)] = State(name, value=name, initial=name == initial, final=staat.eind)
    events: dict[str, Any] = {}
    for e in graph.edges:
        src = states[e.source]
        t = src.to.itself(internal=True) if e.dest is None else src.to(states[e.dest])
        events[e.event] = t if e.event not in events else events[e.event] | t
    attrs.update(events)
    Lifecycle = type("Lifecycle", (StateMachine,), attrs)
    path = _path(loaded)
    pool: list[Any] = []

    def prepare():
        pool.append(Lifecycle())  # a fresh machine per lifecycle, made outside the timed part

    def run():
        sm = pool.pop()
        for name in path:
            sm.send(name)
        return sm

    prepare()
    sm = run()
    assert sm.current_state_value == "afgesloten.uitgevoerd", sm.current_state_value
    result = _per_event_us(_measure(run, prepare, samples, warmup), len(path))
    result["version"] = statemachine.__version__
    result["class"] = "statemachine.StateMachine"
    return result


def bench_hierarchy(samples: int, warmup: int) -> dict[str, Any]:
    """The lifecycle on transitions' HierarchicalMachine (phases as parents, separator '.') vs the flat Machine.

    Two nested variants: 'same_edges' has exactly the flat machine's transitions (only the machine class
    differs); 'phase_sources' lets a transition leave from a whole phase, as the definition writes it.
    """
    from transitions import Machine
    from transitions.extensions.nesting import HierarchicalMachine, NestedState

    class DotState(NestedState):
        separator = "."

    class DotMachine(HierarchicalMachine):
        state_cls = DotState

    loaded = _model_graph()
    d, graph = loaded.definition, loaded.graph
    initial = d.initieel
    path = _path(loaded)
    flat_transitions = [{"trigger": e.event, "source": e.source, "dest": e.dest} for e in graph.edges]
    tree = {}
    for name in graph.states:
        fase, staat = name.split(".", 1)
        tree.setdefault(fase, []).append(staat)
    nested_states = [{"name": fase, "children": staten} for fase, staten in tree.items()]
    phase_transitions = []
    for tid, t in d.transities.items():
        sources = [v for v in t.van if v in tree or v in graph.states]
        dest = t.naar
        if dest is not None and dest not in graph.states:
            dest = t.anders_naar
        phase_transitions.append({"trigger": t.event or tid, "source": sources, "dest": dest})

    def lifecycle_on(machine_cls, states, transitions) -> list[int]:
        class Model:
            pass

        model = Model()
        machine = machine_cls(model=model, states=states, transitions=transitions, initial=initial,
                              auto_transitions=False)
        # the model's trigger methods: a nested machine refuses Event.trigger called directly
        triggers = [getattr(model, name) for name in path]

        def prepare():
            machine.set_state(initial, model)

        def run():
            for trigger in triggers:
                trigger()

        prepare(); run()
        assert model.state == "afgesloten.uitgevoerd", model.state
        return _measure(run, prepare, samples, warmup)

    flat = _per_event_us(lifecycle_on(Machine, list(graph.states), flat_transitions), len(path))
    same = _per_event_us(lifecycle_on(DotMachine, nested_states, flat_transitions), len(path))
    phase = _per_event_us(lifecycle_on(DotMachine, nested_states, phase_transitions), len(path))
    return {
        "flat": flat,
        "nested_same_edges": same,
        "nested_phase_sources": phase,
        "ratio_nested_same_edges": round(same["median_us"] / flat["median_us"], 1),
        "ratio_nested_phase_sources": round(phase["median_us"] / flat["median_us"], 1),
    }


# -- the run -------------------------------------------------------------------------------------------------

def machine_info() -> dict[str, Any]:
    """Where the figures were measured."""
    import statemachine
    import transitions

    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "transitions": transitions.__version__,
        "python-statemachine": statemachine.__version__,
        "note": "shared and noisy machine: medians after warm-up",
    }


def main(samples: int = SAMPLES, warmup: int = WARMUP) -> dict[str, Any]:
    """Run every measurement once, print a table, return the figures."""
    load = bench_load()
    r2c = bench_fire_r2c(samples, warmup)
    bare = bench_fire_transitions(samples, warmup)
    psm = bench_fire_statemachine(samples, warmup)
    hier = bench_hierarchy(samples, warmup)
    result = {
        "machine": machine_info(),
        "load_400": load,
        "fire_r2c": r2c,
        "fire_transitions": bare,
        "fire_statemachine": psm,
        "ratio_r2c_to_transitions": round(r2c["median_us"] / bare["median_us"], 1),
        "ratio_r2c_to_statemachine": round(r2c["median_us"] / psm["median_us"], 2),
        "hierarchy": hier,
        "ratio_r2c_to_bare_nested": round(r2c["median_us"] / hier["nested_phase_sources"]["median_us"], 1),
    }
    _print(result)
    return result


def _print(r: dict[str, Any]) -> None:
    m, load, r2c = r["machine"], r["load_400"], r["fire_r2c"]
    bare, psm, h = r["fire_transitions"], r["fire_statemachine"], r["hierarchy"]

    def ok(flag: bool) -> str:
        return "yes" if flag else "NO"

    print(f"bench_workflows  (nproc={m['nproc']}, Python {m['python']}, transitions {m['transitions']}, "
          f"python-statemachine {m['python-statemachine']}; shared machine, medians)")
    print()
    print(f"{'measurement':<58}{'median':>12}{'target':>10}{'met':>6}")
    print("-" * 86)
    label = f"load {load['files']} gemeente files + build machines (total)"
    print(f"{label:<58}"
          f"{load['total_s']:>10.3f} s{load['target_s']:>8.1f} s{ok(load['meets_target']):>6}")
    print(f"{'  of which load_catalog':<58}{load['load_s']:>10.3f} s")
    print(f"{'  of which Engine.build_all':<58}{load['build_s']:>10.3f} s")
    print(f"{'  first run (not counted); the counted runs':<58}{load['first_run_s']:>10.3f} s   {load['total_s_all']}")
    print(f"{'  of which in the garbage collector':<58}{load['gc_s']:>10.3f} s   "
          f"collections per generation {load['gc_collections']}, "
          f"{load['gc_tracked_objects_after']} tracked objects after")
    gp = load["gc_paused"]
    print(f"{'  same work with gc paused (diagnostic: load + build)':<58}{gp['total_s']:>10.3f} s   "
          f"{gp['load_s']:.3f} + {gp['build_s']:.3f}  {gp['total_s_all']}")
    print(f"{'fire one event, r2c Workflow.fire (9-event lifecycle)':<58}"
          f"{r2c['median_us']:>9.1f} us{r2c['target_us']:>7.0f} us{ok(r2c['meets_target']):>6}")
    print(f"{'  same, gc left on while timing':<58}{r2c['median_us_gc_on']:>9.1f} us")
    print(f"{'fire one event, bare transitions.Machine':<58}{bare['median_us']:>9.1f} us")
    print(f"{'fire one event, python-statemachine StateMachine':<58}{psm['median_us']:>9.1f} us")
    print(f"{'ratio r2c / bare flat transitions.Machine':<58}{r['ratio_r2c_to_transitions']:>10.1f} x")
    print(f"{'ratio r2c / python-statemachine':<58}{r['ratio_r2c_to_statemachine']:>10.2f} x")
    print(f"{'transitions HierarchicalMachine, same edges':<58}{h['nested_same_edges']['median_us']:>9.1f} us"
          f"   {h['ratio_nested_same_edges']:.1f}x flat")
    print(f"{'transitions HierarchicalMachine, phase sources':<58}{h['nested_phase_sources']['median_us']:>9.1f} us"
          f"   {h['ratio_nested_phase_sources']:.1f}x flat")
    print(f"{'transitions flat Machine (same run as the nested ones)':<58}{h['flat']['median_us']:>9.1f} us")
    print(f"{'ratio r2c / bare HierarchicalMachine (phase sources)':<58}{r['ratio_r2c_to_bare_nested']:>10.1f} x")
    print()
    print("r2c, each event on its own (median us): "
          + ", ".join(f"{k} {v}" for k, v in r2c["by_event_us"].items()))


if __name__ == "__main__":
    main()
