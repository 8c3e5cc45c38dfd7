"""Check the per-batch performance goals against the reference worker; exit 1 when one is missed.

For use by hand, never in CI: the figures depend on the machine and its load.
Every goal is a ratio measured in the same run against vgi-python 0.47.0,
alternating the implementations round by round, medians of ``--rounds``:

* worker CPU per batch at 2,048 rows, replayed in-process
  (``worker_replay.py``): <= 0.5x the reference for multiply, echo and sequence;
  its floor is the cheaper of ``worker_replay.py``'s two (pyarrow alone, and
  pyarrow behind the host's frame reader and one-write answers);
* live end to end through the reference client (``function_kinds.py``):
  >= 1.25x the reference's rows/s for multiply at 2,048 rows;
* never slower than the reference (>= 1.0x rows/s) at any batch size and kind
  of ``function_kinds.py``.

Where a goal has a floor - what the same measurement gives for the least any
worker must do (the cheaper replay floor; ``floor_worker.py`` live; the
interpreter with pyarrow and vgi-rpc for the cold start) - the floor's own
ratio is printed beside it, and a missed goal whose floor misses it too is
reported as ``BLKD`` (blocked by the floor) rather than ``MISS``.  Both count
as not met in the exit status.

Other goals join the same run by appending a function to :data:`EXTRA_CHECKS`
(for example the cold-start ratio measured by ``cold_start.py``): it gets the
parsed options and returns :class:`Verdict` objects.

    python3 benchmarks/check.py            # ~20-30 min on a loaded 2 vCPU machine
    python3 benchmarks/check.py --cases multiply --rounds 3   # replay goals + live multiply only
    python3 benchmarks/check.py --quick    # fewer rows and rounds: a smoke run, noisier
    python3 benchmarks/check.py --skip-live
    python3 benchmarks/check.py --skip-replay --skip-live   # the cold-start goal only

Runs inside ``.bench/kinds`` like ``function_kinds.py`` (needs ``uv`` on PATH).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import function_kinds as kinds  # sibling scripts, not a package
import worker_replay as replay

REPLAY_GOAL = 0.5
REPLAY_CASES = ("multiply", "echo", "sequence")
LIVE_GOAL = 1.25
LIVE_GOAL_CASE = ("multiply", kinds.SMALL_BATCH)
NEVER_SLOWER = 1.0


@dataclass(frozen=True)
class Verdict:
    """One goal: what was measured, the ratio, the bound, and whether it holds."""

    goal: str
    ratio: float
    bound: float
    at_most: bool
    """True when the ratio must be <= bound (CPU), False when >= bound (speed)."""
    note: str = ""
    floor: float | None = None
    """The same ratio for the goal's floor (the least any worker must do), where it has one."""

    def holds(self, ratio: float) -> bool:
        return ratio <= self.bound if self.at_most else ratio >= self.bound

    @property
    def met(self) -> bool:
        return self.holds(self.ratio)

    @property
    def blocked(self) -> bool:
        """Missed, and the floor misses the bound too: no worker code could meet it here."""
        return not self.met and self.floor is not None and not self.holds(self.floor)

    def line(self) -> str:
        sign = "<=" if self.at_most else ">="
        status = "MET " if self.met else "BLKD" if self.blocked else "MISS"
        parts = [self.note] if self.note else []
        if self.floor is not None:
            parts.append(f"floor {self.floor:.2f}")
        note = f"  ({'; '.join(parts)})" if parts else ""
        return f"{status} {self.goal}: {self.ratio:.2f} (goal {sign} {self.bound}){note}"


def replay_checks(options: argparse.Namespace) -> list[Verdict]:
    """Worker CPU per batch, replayed in-process: vgi-host / reference <= 0.5."""
    impls = ["vgi-host", "reference", *replay.FLOORS]
    batches = 900 if options.quick else 3000
    rounds = 3 if options.quick else options.rounds
    results = replay.replay_per_batch(list(REPLAY_CASES), impls, kinds.SMALL_BATCH, batches, rounds)
    verdicts = []
    for name in REPLAY_CASES:
        ours, ref, floor, guarded = (replay.median(results[(name, impl)]) for impl in impls)
        verdicts.append(
            Verdict(
                f"replay worker CPU, {name} @ 2,048 rows, vgi-host / reference",
                ours / ref,
                REPLAY_GOAL,
                at_most=True,
                note=(
                    f"{ours * 1e6:.1f} vs {ref * 1e6:.1f} µs/batch; floors: pyarrow {floor * 1e6:.1f} µs, "
                    f"guarded {guarded * 1e6:.1f} µs"
                ),
                floor=min(floor, guarded) / ref,
            )
        )
    return verdicts


def live_checks(options: argparse.Namespace) -> list[Verdict]:
    """End to end through the reference client: multiply >= 1.25x at 2,048 rows, never slower anywhere."""
    bin_dir = Path(sys.executable).parent
    argv = {
        "vgi-host": [str(bin_dir / "vgi-host"), "serve"],
        "reference": [sys.executable, str(kinds.HERE / "reference_bench_worker.py")],
    }
    if LIVE_GOAL_CASE[0] in options.cases:  # the live goal's floor (floor_worker.py serves it only)
        argv["floor"] = [sys.executable, str(kinds.FLOOR_WORKER)]
    workers = {impl: kinds.Worker(impl, command) for impl, command in argv.items()}
    cases = [kinds.CASES[name] for name in options.cases]
    repeat = 1 if options.quick else options.rounds
    try:
        for worker in workers.values():
            worker.start()
        results = kinds.run_all(workers, cases, list(kinds.DEFAULT_BATCH_SIZES), repeat, options.quick)
    finally:
        for worker in workers.values():
            worker.stop()
    by_key = {(r.case, r.batch_rows, r.impl): r for r in results}
    verdicts = []
    for case in cases:
        for rows in kinds.DEFAULT_BATCH_SIZES:
            ours, ref = by_key[(case.name, rows, "vgi-host")], by_key[(case.name, rows, "reference")]
            speed = median_rate(ours) / median_rate(ref)
            note = f"{median_rate(ours) / 1e6:.2f} M vs {median_rate(ref) / 1e6:.2f} M rows/s"
            if (case.name, rows) == LIVE_GOAL_CASE:
                floor = by_key[(case.name, rows, "floor")]
                verdicts.append(
                    Verdict(
                        f"live end to end, {case.name} @ {rows:,} rows",
                        speed,
                        LIVE_GOAL,
                        False,
                        f"{note}; floor_worker.py {median_rate(floor) / 1e6:.2f} M",
                        floor=median_rate(floor) / median_rate(ref),
                    )
                )
            verdicts.append(
                Verdict(f"never slower, {case.name} @ {rows:,} rows", speed, NEVER_SLOWER, False, note)
            )
    return verdicts


def median_rate(result: kinds.Result) -> float:
    """Rows per second of the median round."""
    return result.rows / replay.median([s.seconds for s in result.samples])


def cold_start_checks(options: argparse.Namespace) -> list[Verdict]:
    """Spawn to first result, ours against the reference (``cold_start.py``'s goals)."""
    import cold_start  # sibling script; imported here so the other checks never pay for it

    rounds = 5 if options.quick else max(options.rounds * 3, 9)
    return [
        Verdict(goal=goal.name, ratio=goal.measured, bound=goal.target, at_most=True, floor=goal.floor)
        for goal in cold_start.check(rounds)
    ]


EXTRA_CHECKS: list[Callable[[argparse.Namespace], list[Verdict]]] = [cold_start_checks]
"""More goals for the same run (the cold start today): each returns its verdicts, last."""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rows and rounds (noisier)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per measurement (medians reported)")
    parser.add_argument("--cases", nargs="+", choices=list(kinds.CASES), default=list(kinds.CASES))
    parser.add_argument("--skip-replay", action="store_true")
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--skip-cold-start", action="store_true")
    options = parser.parse_args()
    kinds.ensure_venv(__file__)
    os.environ.update(kinds.host_environment())
    print(f"# {kinds.environment_line()}", file=sys.stderr)

    checks: list[Callable[[argparse.Namespace], list[Verdict]]] = []
    if not options.skip_replay:
        checks.append(replay_checks)
    if not options.skip_live:
        checks.append(live_checks)
    verdicts: list[Verdict] = []
    extra = [] if options.skip_cold_start else EXTRA_CHECKS
    for check in (*checks, *extra):
        found = check(options)
        for verdict in found:  # as each check ends, so a long run shows what it has
            print(verdict.line(), flush=True)
        verdicts.extend(found)
    missed = [v for v in verdicts if not v.met]
    blocked = sum(v.blocked for v in verdicts)
    print(f"\n{len(verdicts) - len(missed)} of {len(verdicts)} goals met, {blocked} blocked by their floor")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
