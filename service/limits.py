"""Back-pressure: a fixed number of inference slots, refused at once when full, and a body size cap.

There is deliberately no waiting queue: a saturated server answers 503 + Retry-After immediately, so
clients and load balancers can go elsewhere instead of piling up requests that would time out anyway.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Saturated(Exception):
    """Every inference slot is busy."""


class InferenceTimeout(Exception):
    """The request's time limit passed before its pipeline run finished."""


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than the {limit} byte limit")
        self.limit = limit


class InferenceSlots:
    """Runs blocking work in a thread pool of `size` threads, never queueing more than `size` jobs.

    A slot is released when its thread finishes, not when the request gives up on it: a timed-out run
    still occupies a CPU, so it keeps counting against capacity until it really ends.
    """

    def __init__(self, size: int, on_change: Callable[[int], None] | None = None) -> None:
        self.size = size
        self._busy = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="inference")
        self._on_change = on_change or (lambda busy: None)

    @property
    def busy(self) -> int:
        return self._busy

    def _try_acquire(self) -> bool:
        with self._lock:
            if self._busy >= self.size:
                return False
            self._busy += 1
            self._on_change(self._busy)
            return True

    def _release(self, _: Future) -> None:
        with self._lock:
            self._busy -= 1
            self._on_change(self._busy)

    async def run(self, work: Callable[[], T], timeout_s: float) -> T:
        if not self._try_acquire():
            raise Saturated()
        try:
            future = self._executor.submit(work)
        except BaseException:
            self._release(Future())
            raise
        future.add_done_callback(self._release)
        try:
            # shield: a timeout abandons the wait, but the thread (and its slot) runs to completion.
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout_s)
        except TimeoutError as exc:
            raise InferenceTimeout() from exc

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


async def read_body_capped(chunks: AsyncIterator[bytes], declared_length: str | None, limit: int) -> bytes:
    """The whole body, refusing on the declared Content-Length first and on the streamed size too.

    Checking only Content-Length would let a chunked upload through; checking only the stream would read
    a declared 1 GB body before refusing it.
    """
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > limit:
        raise BodyTooLarge(limit)
    received = bytearray()
    async for chunk in chunks:
        received.extend(chunk)
        if len(received) > limit:
            raise BodyTooLarge(limit)
    return bytes(received)
