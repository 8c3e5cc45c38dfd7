"""Instructions per batch of each worker's replay, counted by callgrind: repeatable on a loaded machine.

``worker_replay.py`` measures CPU time, which a shared 2-vCPU machine makes
noisy (±30 % between runs).  This script replays the same recordings under
``valgrind --tool=callgrind`` and reads the instruction count instead, which
does not depend on what else runs:

    instructions per batch = (I(N batches) - I(N/3 batches)) / (2N/3)

for vgi-host, vgi-host with vgi-rpc's generic loop (``vgi-host-generic``), the
reference worker and the pyarrow-only ``floor`` (see ``worker_replay.py``).
Start-up, imports and per-call work cancel in the difference.  Instructions
are not time (a cache miss costs no instructions), so read them for
attribution and ratios, next to the CPU-time figures.

    python3 benchmarks/replay_instructions.py                       # multiply, echo, sequence
    python3 benchmarks/replay_instructions.py --cases multiply --batches 600

Runs inside ``.bench/kinds`` like ``function_kinds.py``; needs ``valgrind``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import function_kinds as kinds  # sibling scripts, not a package
import worker_replay as replay

CHILD = "--child"
DEFAULT_CASES = ["multiply", "echo", "sequence"]


def child(impl: str, case_name: str, batches: int, path: str) -> None:
    """Replay once (or run the floor once) in this process: what callgrind counts."""
    os.environ.update(kinds.host_environment())
    if impl in replay.FLOORS:
        replay.floor_replayer(kinds.CASES[case_name], kinds.SMALL_BATCH, impl == replay.GUARDED_FLOOR)(
            batches
        )
        return
    run = replay.replayer(replay.RECORDED_BY[impl])
    with replay.loop_for(impl):
        run(Path(path))


def instructions(impl: str, case_name: str, batches: int, path: Path) -> int:
    """Instructions callgrind counted for one child run."""
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        CHILD,
        impl,
        case_name,
        str(batches),
        str(path),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    match = re.search(r"Collected : (\d+)", done.stderr)
    if match is None:
        raise RuntimeError(f"no instruction count from callgrind:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def per_batch(case_names: list[str], impls: list[str], batches: int) -> dict[tuple[str, str], float]:
    """Instructions per batch by (case, impl)."""
    results: dict[tuple[str, str], float] = {}
    recorded = sorted({replay.RECORDED_BY[i] for i in impls if i in replay.RECORDED_BY})
    for name in case_names:
        case = kinds.CASES[name]
        short_n = max(1, batches // 3)
        paths = {
            impl: (
                replay.record(impl, case, kinds.SMALL_BATCH, batches),
                replay.record(impl, case, kinds.SMALL_BATCH, short_n),
            )
            for impl in recorded
        }
        try:
            for impl in impls:
                long_path, short_path = paths.get(replay.RECORDED_BY.get(impl, ""), (Path(), Path()))
                many = instructions(impl, name, batches, long_path)
                few = instructions(impl, name, short_n, short_path)
                results[(name, impl)] = (many - few) / (batches - short_n)
                print(
                    f"  {name:<10} {impl:<17} {results[(name, impl)]:>12,.0f} instructions/batch",
                    file=sys.stderr,
                )
        finally:
            for pair in paths.values():
                for path in pair:
                    path.unlink(missing_ok=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", nargs="+", choices=replay.STREAM_CASES, default=DEFAULT_CASES)
    parser.add_argument("--impls", nargs="+", choices=replay.REPLAY_IMPLS, default=list(replay.REPLAY_IMPLS))
    parser.add_argument("--batches", type=int, default=900, help="batches in the long recording")
    options = parser.parse_args()
    kinds.ensure_venv(__file__)
    os.environ.update(kinds.host_environment())
    print(f"# {kinds.environment_line()}", file=sys.stderr)
    results = per_batch(options.cases, options.impls, options.batches)
    print("| case | impl | instructions per batch (callgrind) | / reference |")
    print("| --- | --- | ---: | ---: |")
    for name in options.cases:
        reference = results.get((name, "reference"))
        for impl in options.impls:
            value = results[(name, impl)]
            ratio = f"{value / reference:.2f}" if reference else "—"
            print(f"| {name} | {impl} | {value:,.0f} | {ratio} |")


if __name__ == "__main__":
    if sys.argv[1:2] == [CHILD]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        main()
