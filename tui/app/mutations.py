"""Cancelling and starting a job: ask first ("No" focused), then call the API in a worker.

The API's answer goes through the store like a poll's, so the list and the detail show the job's
new status at once; a poll follows to catch up with what else moved. Read-only mode never gets
here (the app refuses the actions), and :meth:`JobMutations.run` checks again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tui.api.models import JobStatus
from tui.app.screens.confirm import ConfirmModal
from tui.display.formats import short_id
from tui.errors import FinetopError
from tui.monitor.finish import job_label
from tui.monitor.labels import status_word

if TYPE_CHECKING:
    from textual.app import App

    from tui.api.client import MistralClient
    from tui.monitor.changes import Change
    from tui.monitor.poller import Poller
    from tui.monitor.store import JobStore, JobView

__all__ = ["CANCELLABLE", "JobMutations"]

CANCELLABLE: frozenset[str] = frozenset(
    {
        JobStatus.QUEUED,
        JobStatus.VALIDATING,
        JobStatus.VALIDATED,
        JobStatus.STARTED,
        JobStatus.RUNNING,
    }
)
"""Statuses in which asking for cancellation makes sense."""


def _on_yes(action: Callable[[], object]) -> Callable[[bool | None], None]:
    """A dialog callback that runs ``action`` when the answer is yes."""

    def answered(yes: bool | None) -> None:
        if yes:
            action()

    return answered


class JobMutations:
    """The cancel and start flows of one app."""

    def __init__(
        self,
        app: App[Any],
        store: JobStore,
        on_changes: Callable[[Sequence[Change]], None],
    ) -> None:
        self.app = app
        """Whose dialogs, notices and workers these are."""
        self.store = store
        """Where the API's answer goes, like a poll's."""
        self.on_changes = on_changes
        """Routes what the answer changed (the app's change router)."""

    def ask_cancel(self, view: JobView, run: Callable[[str, str, str], object]) -> None:
        """Ask whether to cancel ``view``'s job; ``run(verb, job_id, label)`` does it."""
        job = view.job
        if job.status not in CANCELLABLE:
            self.app.notify(
                f"Job {short_id(job.id)} is {status_word(job.status)}: nothing to cancel",
                timeout=4,
            )
            return
        self._confirm(
            "cancel",
            view,
            f"The job is {status_word(job.status)}. Cancelling stops training for good; "
            "checkpoints saved so far stay available.",
            run,
        )

    def ask_start(self, view: JobView, run: Callable[[str, str, str], object]) -> None:
        """Ask whether to start ``view``'s job (VALIDATED, created with ``auto_start=false``)."""
        job = view.job
        if job.status != JobStatus.VALIDATED or job.auto_start:
            self.app.notify(
                "Only a VALIDATED job created with auto_start=false waits to be started "
                f"(this one is {status_word(job.status)})",
                timeout=4,
            )
            return
        self._confirm("start", view, "Training starts and is billed to the workspace.", run)

    def _confirm(
        self, verb: str, view: JobView, body: str, run: Callable[[str, str, str], object]
    ) -> None:
        """Ask "<Verb> job <label>?" ("No" focused); on yes, ``run(verb, job_id, label)``."""
        job = view.job
        label = job_label(job.id, job.suffix)
        self.app.push_screen(
            ConfirmModal(
                f"{verb.capitalize()} job {label}?",
                body,
                yes_label=f"{verb.capitalize()} job",
                no_label="No",
            ),
            _on_yes(lambda: run(verb, job.id, label)),
        )

    async def run(
        self, client: MistralClient, poller: Poller | None, verb: str, job_id: str, label: str
    ) -> None:
        """Call the API (``verb``: cancel or start); its answer goes through the store."""
        call = client.cancel_job if verb == "cancel" else client.start_job
        try:
            details = await call(job_id)
        except FinetopError as error:
            self.app.notify(str(error), title=f"Could not {verb} {label}", severity="error")
            if poller is not None:
                poller.refresh_now()  # the job probably moved on: show where it is
            return
        self.on_changes(self.store.apply(details, at=self.store.clock.monotonic()))
        self.app.notify(
            f"Job {label} is now {status_word(details.status)}", title=f"{verb.title()} requested"
        )
        if poller is not None:
            poller.refresh_now()
