"""Running one check in a forked child with a wall-time and a memory budget.

A patch is hostile input and the bot runs unattended: whatever a check does
(a pathological schema, a parser that never ends, memory that grows without
bound), the bot must go on with the other patches.  ``run`` forks; the
child limits its address space (``RLIMIT_AS``: what it has at the fork plus
the budget), arms an alarm that ends it even if the bot dies meanwhile,
closes every inherited descriptor but the result pipe (the state database,
sockets carrying the token, the lock file) and sends its result back
pickled.  The parent waits at most the time budget, then kills it.

The function runs in the child, so it must not touch the network or the
state database: the caller fetches everything first.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any

from qapilint.errors import InputError

MAX_RESULT = 256 * 1024 * 1024     # bytes of pickled result the parent accepts


class CheckFailed(Exception):
    """The check did not produce a result: over its time or memory budget, or it crashed."""


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _child(fn: Callable[[], Any], seconds: float | None, memory: int | None, w: int) -> None:
    status = 0
    try:
        # Garbage the bot left (a response, a socket) must not be finalised
        # here: it would close a descriptor number the check reuses.
        gc.freeze()
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        if seconds:
            # Ends the child even when the bot was killed and cannot.
            signal.alarm(math.ceil(seconds) + 5)
        if memory:
            base = _address_space() or 0
            limit = base + memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.closerange(3, w)
        os.closerange(w + 1, 1 << 16)
        try:
            result: tuple[Any, ...] = ("ok", fn())
        except MemoryError:
            result = ("memory",)
        except InputError as e:
            result = ("input", e.where, e.message)
        except NotImplementedError as e:
            result = ("notimpl", str(e))
        except RecursionError:
            result = ("crash", "RecursionError: nested too deeply")
        except Exception as e:  # the parent records it against the patch
            result = ("crash", f"{type(e).__name__}: {' '.join(str(e).split())[:200]}")
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory",))
        except Exception as e:
            data = pickle.dumps(("crash", f"result not transferable: {type(e).__name__}"))
        view = memoryview(data)
        while view:
            n = os.write(w, view)
            view = view[n:]
    except BaseException:
        status = 70
    finally:
        os._exit(status)


def run(fn: Callable[[], Any], seconds: float | None, memory: int | None) -> Any:
    """``fn()`` in a forked child within ``seconds`` of wall time and ``memory`` more bytes of address space.

    Returns what ``fn`` returned; re-raises its InputError / NotImplementedError;
    raises :class:`CheckFailed` for everything else (timeout, memory, crash).
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(r)
        _child(fn, seconds, memory, w)
    os.close(w)
    chunks: list[bytes] = []
    size = 0
    end = time.monotonic() + seconds if seconds else None
    killed = None
    try:
        poller = select.poll()
        poller.register(r, select.POLLIN | select.POLLHUP)
        while True:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                killed = f"check exceeded its time budget of {seconds:g} s"
                break
            if not poller.poll(None if left is None else max(1, int(left * 1000))):
                continue
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_RESULT:
                killed = f"check result over {MAX_RESULT // (1024 * 1024)} MiB"
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        if killed is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _pid, status = os.waitpid(pid, 0)
    if killed is not None:
        raise CheckFailed(killed)
    if not chunks:
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            raise CheckFailed(f"check process killed by signal {sig} ({_signame(sig)})"
                              + (", probably over its memory budget" if memory and sig in (6, 9, 11) else ""))
        raise CheckFailed(f"check process ended without a result (status {os.waitstatus_to_exitcode(status)})")
    try:
        result = pickle.loads(b"".join(chunks))
    except Exception as e:
        raise CheckFailed(f"check result unreadable: {type(e).__name__}") from None
    kind = result[0]
    if kind == "ok":
        return result[1]
    if kind == "input":
        raise InputError(result[1], result[2])
    if kind == "notimpl":
        raise NotImplementedError(result[1])
    if kind == "memory":
        raise CheckFailed(f"check exceeded its memory budget of {(memory or 0) // (1024 * 1024)} MiB")
    raise CheckFailed(f"check crashed: {result[1]}")


def _signame(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return "?"
