"""Background jobs (builds) with progress, run in the server's own worker thread.

A job is started by a request and runs in a :class:`~concurrent.futures.ThreadPoolExecutor`
owned by the app, not by the request: the client may disconnect and poll
``GET /api/jobs/{id}`` later. Jobs run one at a time (the machine has few cores and the
store one writer). Job records live in memory for the life of the server; their start and
end are written to the store's ``audit_log``.
"""
from __future__ import annotations

import secrets
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

STATES = ("queued", "running", "done", "failed")


def _now() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


class Jobs:
    def __init__(self, max_jobs: int = 200):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="holisec-job")
        self._jobs: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.max_jobs = max_jobs

    def submit(self, kind: str, params: dict, run, who: str) -> dict:
        """Queue ``run(progress)``; ``progress(fraction, message)`` updates the record.

        ``run`` returns a JSON-ready dict (the job's result); an exception fails the job
        with its message (the traceback is kept for the server log)."""
        job_id = secrets.token_hex(8)
        job = {"id": job_id, "kind": kind, "params": params, "state": "queued", "progress": 0.0,
               "message": "queued", "created_by": who, "created_at": _now(), "started_at": None,
               "finished_at": None, "result": None, "error": None}
        with self._lock:
            self._jobs[job_id] = job
            while len(self._jobs) > self.max_jobs:  # forget the oldest finished job
                old = next((k for k, j in self._jobs.items() if j["state"] in ("done", "failed")), None)
                if old is None:
                    break
                self._jobs.pop(old)

        def progress(fraction: float, message: str) -> None:
            with self._lock:
                job["progress"] = round(max(job["progress"], min(float(fraction), 1.0)), 3)
                job["message"] = message

        def body():
            with self._lock:
                job.update(state="running", started_at=_now(), message="started")
            try:
                out = run(progress)
                with self._lock:
                    job.update(state="done", progress=1.0, message="done", result=out, finished_at=_now())
            except Exception as err:  # noqa: BLE001 - a failed job reports its error, the server goes on
                with self._lock:
                    job.update(state="failed", message="failed", error=str(err) or type(err).__name__,
                               finished_at=_now(), traceback=traceback.format_exc(limit=5))

        self._pool.submit(body)
        return self.get(job_id)

    def get(self, job_id: str) -> dict | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else {k: v for k, v in job.items() if k != "traceback"}

    def list(self) -> list[dict]:
        with self._lock:
            return [{k: v for k, v in j.items() if k != "traceback"} for j in reversed(self._jobs.values())]

    def wait(self, job_id: str, timeout: float = 60.0) -> dict | None:
        """Block until the job ends (for tests and the CLI)."""
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            job = self.get(job_id)
            if job is None or job["state"] in ("done", "failed"):
                return job
            time.sleep(0.02)
        return self.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
