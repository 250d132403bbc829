"""Background workers: stored inbound messages are handled here, after Twilio got its 200."""

from __future__ import annotations

import asyncio
import logging

from hotline.conversations import service
from hotline.conversations.router import Router
from hotline.db import Database

log = logging.getLogger(__name__)


class InboundWorkers:
    def __init__(self, db: Database, router: Router, concurrency: int = 8) -> None:
        self._db = db
        self._router = router
        self._concurrency = concurrency
        self._queue: asyncio.Queue[service.Pending] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []

    def submit(self, message_id: int, conversation_id: int) -> None:
        self._queue.put_nowait((message_id, conversation_id))

    async def start(self) -> None:
        """Pick up whatever a previous run left behind, then start handling new messages."""

        interrupted, to_handle, to_send = await self._db.call(service.recover_after_restart)
        if interrupted or to_handle or to_send:
            log.info(
                "recovering: %d interrupted, %d to handle, %d replies to send",
                len(interrupted),
                len(to_handle),
                len(to_send),
            )
        for message_id, conversation_id in to_handle:
            self.submit(message_id, conversation_id)
        self._tasks = [asyncio.create_task(self._run()) for _ in range(self._concurrency)]
        self._tasks.append(asyncio.create_task(self._resume(interrupted, to_send)))

    async def _resume(self, interrupted: list[service.Pending], to_send: list[int]) -> None:
        for message_id, conversation_id in interrupted:
            await self._guarded(self._router.resume_interrupted, message_id, conversation_id)
        for outbound_id in to_send:
            await self._guarded(self._router.send, outbound_id)

    async def _run(self) -> None:
        while True:
            message_id, conversation_id = await self._queue.get()
            try:
                await self._guarded(self._router.handle, message_id, conversation_id)
            finally:
                self._queue.task_done()

    @staticmethod
    async def _guarded(step, message_id: int, *args: int) -> None:
        try:
            await step(message_id, *args)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - one bad message must not stop the worker
            log.exception("message %s could not be handled; it stays for recovery", message_id)

    async def drain(self) -> None:
        """Wait until every submitted message has been handled (tests, shutdown)."""
        await self._queue.join()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
