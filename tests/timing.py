"""Time limits for pathological inputs that still mean something on a loaded 2-core CI machine.

A limit in seconds alone fails whenever the machine is busy (CI runs servers and Ray workers beside the
suite); a limit relative to ordinary prose alone hides a slow machine's real stall. So: under the floor,
or, on a machine slow enough to miss it, within SLOWDOWN times the same work on ordinary prose of the
same size. A blow-up (quadratic scans, regex backtracking) misses both.
"""

import time
from collections.abc import Callable

SLOWDOWN = 3.0
ORDINARY_LINE = "Officials in district {0} said on Tuesday that bridge {0} over the river would reopen next week.\n"


def ordinary_text(size: int) -> str:
    """Plain news prose of `size` characters, one sentence a line, no two alike (the page reader drops
    repeated lines, so repeats would be no work at all)."""
    lines = (ORDINARY_LINE.format(i) for i in range(size // len(ORDINARY_LINE.format(0)) + 1))
    return "".join(lines)[:size]


def seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def assert_quick(elapsed_s: float, ordinary: Callable[[], object], floor_s: float) -> None:
    """elapsed_s is under floor_s, or under SLOWDOWN times what `ordinary()` takes now."""
    if elapsed_s < floor_s:
        return
    yardstick = seconds(ordinary)
    assert elapsed_s < SLOWDOWN * yardstick, (
        f"{elapsed_s:.2f} s, over {floor_s:g} s and over {SLOWDOWN:g} x the {yardstick:.2f} s ordinary prose takes"
    )
