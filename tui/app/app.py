"""FinetopApp: one client, one store, one poller, and the screens that show them.

The poller runs in one worker (group ``poller``). It reports changes
(:mod:`tui.monitor.changes`), which :meth:`FinetopApp.handle_changes` turns into Textual messages
(:mod:`tui.app.messages`) for the main screen. User actions that change a job (cancel, start)
run the client in a worker and feed the answer back through the store, the same path a poll
takes. Read-only mode removes those actions from bindings and palette, and ``check_action``
refuses them even when invoked directly.

Every notification is plain text made safe (:meth:`FinetopApp.notify`): messages quote job
names, statuses and error bodies, which must never be read as markup or reach the terminal raw.

For tests everything is injectable: the client (e.g. on an in-process simulator), the clock, the
poller settings and the store.
"""

from __future__ import annotations

import os
import webbrowser
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, work
from textual.app import App, SystemCommand, get_system_commands_provider
from textual.binding import BindingType
from textual.filter import LineFilter, NoColor
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker

from tui.api.clock import Clock, SystemClock
from tui.api.models import JobStatus
from tui.app.actions import FinetopCommands, Scope, bindings_for, check_user_keymap, help_rows
from tui.app.change_router import ChangeRouter
from tui.app.color_env import wants_no_color, wants_terminal_palette
from tui.app.messages import JobFinished
from tui.app.mutations import JobMutations
from tui.app.refusals import ReadOnlyRefusals, refused_when_read_only
from tui.app.screens.help import HelpScreen
from tui.app.screens.main import main_screen_class
from tui.app.screens.palette import OrderedCommandPalette
from tui.app.screenshots import Screenshots
from tui.app.session import Session
from tui.app.share import Share
from tui.app.ui_state import RememberedUi
from tui.app.widgets.status_line import StatusSnapshot
from tui.display.formats import fmt_seconds
from tui.display.text import LONG_TEXT_LIMIT, safe_text
from tui.errors import FinetopError
from tui.monitor.changes import (
    Change,
)
from tui.monitor.file_names import FileNameLookup
from tui.monitor.finish import FinishNotices
from tui.monitor.poller import Poller
from tui.monitor.settings import PollerSettings
from tui.monitor.status import PollerState
from tui.monitor.store import JobStore, JobView

if TYPE_CHECKING:
    from tui.api.client import MistralClient
    from tui.app.screens.main import _MainScreenBase
    from tui.headless.connect import Connection
    from tui.headless.history_link import HistoryLink
    from tui.settings.config import Settings

__all__ = ["FinetopApp"]

_FINISH_SEVERITY: dict[str, SeverityLevel] = {
    JobStatus.SUCCESS: "information",
    JobStatus.FAILED: "error",
    JobStatus.FAILED_VALIDATION: "error",
    JobStatus.CANCELLED: "warning",
}


class FinetopApp(App[int]):
    """The finetop terminal monitor."""

    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    TITLE = "finetop"
    BINDINGS: ClassVar[list[BindingType]] = bindings_for(Scope.APP, read_only=False)
    COMMANDS: ClassVar[set[Any]] = {FinetopCommands, get_system_commands_provider}
    COMMAND_PALETTE_DISPLAY = "^p"

    def __init__(
        self,
        settings: Settings,
        *,
        connection: Connection | None = None,
        client: MistralClient | None = None,
        clock: Clock | None = None,
        poller_settings: PollerSettings | None = None,
        store: JobStore | None = None,
        screenshot_dir: str | Path | None = None,
        theme_dirs: tuple[Path, ...] = (),
        open_url: Callable[[str], object] | None = None,
        environ: Mapping[str, str] | None = None,
        history: HistoryLink | None = None,
        state_file: Path | None = None,
    ) -> None:
        """``client`` (tests) is used as is; otherwise ``connection`` (or one built from
        ``settings``) is started on mount and stopped on exit, with its demo simulator, and
        the workspace's local history is opened. ``history`` (tests): an open history.
        ``state_file``: where the theme, sort, filter and group are remembered (none: not)."""
        self._no_color = wants_no_color(settings.color_system, os.environ)
        """Draw without colours (``--color-system none``, ``NO_COLOR``)."""
        # Textual's own ANSI mode without colours or with 16: NO_COLOR then strips colours
        # (rather than greying them), named colours stay the terminal's, ``:ansi`` styles apply.
        palette = wants_terminal_palette(settings.color_system, os.environ)
        super().__init__(ansi_color=True if palette else None)
        self.animation_level = "none"
        self.settings = settings
        """The resolved settings."""
        self.read_only: bool = bool(settings.read_only)
        """No mutating action is bound, offered or allowed."""
        self._keymap_check = check_user_keymap(
            settings.keymap, read_only=self.read_only, origins=settings.provenance
        )
        self.keymap: dict[str, str] = dict(self._keymap_check.keymap)
        """The user's remapped keys, checked (conflicts settled): binding id -> keys."""
        self.remembered = RememberedUi(self, settings, state_file)
        """The theme, sort, filter and group kept from the last run, saved as they change."""
        self.refusals = ReadOnlyRefusals(self, settings)
        """Says why a mutating action does nothing in read-only mode."""
        self.demo: bool = bool(settings.demo)
        """Talking to the built-in simulator."""
        self.workspace: str = settings.workspace_label
        """The workspace label for the status line."""
        self.clock: Clock = clock or SystemClock()
        """Time for the poller, the store and the status line."""
        self.store = store if store is not None else JobStore(clock=self.clock)
        """Every job the app knows."""
        self.poller_settings = poller_settings or PollerSettings.from_settings(settings)
        """How often the poller fetches the list and details."""
        self.poller: Poller | None = None
        """The poller, once the client is ready."""
        self.connect_error: FinetopError | None = None
        """Why the connection could not start (before any poll); the poller's status says the
        rest."""
        self.paused = False
        """Updates paused with ``p``."""
        self.screenshot_dir = str(screenshot_dir) if screenshot_dir else None
        """Where ``f8`` saves screenshots (``None``: the user data directory's folder)."""
        self._client = client
        self._connection = connection
        self._owns_connection = client is None
        self._theme_dirs = theme_dirs
        self.share = Share(self, open_url=open_url or webbrowser.open, environ=environ)
        """Copies and opens server text safely (``y``, ``Y``, ``o``)."""
        self.finishes = FinishNotices(self.store, self.clock)
        """Which finished jobs get a notice (once each), and what it says."""
        self.file_names = FileNameLookup(self.clock)
        """Looks up the names of the shown job's files (failures not asked again soon)."""
        self.router = ChangeRouter(self, self.finishes, self._post_main)
        """Turns the poller's changes into messages and notices."""
        self.mutations = JobMutations(self, self.store, self.handle_changes)
        """Cancelling and starting jobs."""
        self.session = Session(self, history=history, own_history=client is None)
        """The local history, the connection and the poller: started on mount, ended on exit."""
        self._main: _MainScreenBase | None = None
        self._strip_colors = NoColor()
        """The filter that strips colours when drawing without them (made once)."""

    # ------------------------------------------------------------------ setup

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters; every colour stripped when drawing without colours (Textual does
        it itself for ``NO_COLOR``, not for ``--color-system none``). The other colour systems
        are settled before Textual loads (see :mod:`tui.app.color_env`)."""
        filters = super().get_line_filters()
        if self._no_color and not any(isinstance(f, NoColor) for f in filters):
            return [*filters, self._strip_colors]
        return filters

    @property
    def client(self) -> MistralClient:
        """The API client (only once mounted and connected)."""
        if self._client is None:
            raise RuntimeError("not connected")
        return self._client

    @property
    def main_screen(self) -> _MainScreenBase:
        """The main screen (present for the whole run)."""
        assert self._main is not None
        return self._main

    def wall_now(self) -> float:
        """Wall-clock Unix seconds (for ages and ETAs)."""
        return self.clock.time()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification of the app (widgets' and screens' included), as plain safe text.

        Messages quote job names, statuses, URLs and error bodies: never markup (a ``[/]`` in a
        500 body would crash the app, ``[@click=...]`` would be a live action link) and never a
        raw control character. ``markup`` is accepted for Textual's signature and ignored.
        """
        super().notify(
            safe_text(message, limit=LONG_TEXT_LIMIT, multiline=True),
            title=safe_text(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_mount(self) -> None:
        self.remembered.start_theme(self.settings.theme, self._theme_dirs)
        if self.keymap:
            self.set_keymap(self.keymap)
        self._main = main_screen_class(self.read_only)()
        self.remembered.restore(self._main)
        self.push_screen(self._main)
        for warning in (*self.settings.warnings, *self._keymap_check.warnings):
            self.notify(warning, severity="warning", timeout=8)
        self.set_interval(1.0, self._tick)
        self._connect()

    @work(group="connect", exclusive=True, exit_on_error=False)
    async def _connect(self) -> None:
        """Show the local history's jobs, start the connection (key, demo simulator, client),
        then the poller."""
        await self.session.show_history()
        if self._client is None:
            self._connection = self._connection or self.session.connection()
            try:
                await self._connection.start()
            except Exception as error:
                # A bad key command, an unusable URL, a simulator that cannot bind: say so on
                # screen (the terminal is the app's now) instead of sitting at "connecting".
                self.connect_error = (
                    error if isinstance(error, FinetopError) else FinetopError(str(error))
                )
                self.notify(str(error), title="Cannot connect", severity="error", timeout=60)
                self._tick()
                return
            self._client = self._connection.client
            self.workspace = self._connection.workspace
        self.poller = self.session.poller(self._client, self.handle_changes)
        self.poller.set_focus(self.app_focus)
        self._run_poller()

    @work(group="poller", exclusive=True, exit_on_error=False)
    async def _run_poller(self) -> None:
        """Poll forever; changes arrive through :meth:`handle_changes`."""
        assert self.poller is not None
        await self.poller.run()

    async def on_unmount(self) -> None:
        self.remembered.save_view()
        self.workers.cancel_group(self, "poller")
        await self.session.close()
        if self._owns_connection and self._connection is not None:
            await self._connection.stop()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette entries, minus those finetop's actions already cover."""
        for command in super().get_system_commands(screen):
            if command.title in ("Theme", "Maximize", "Minimize"):
                yield command

    # ------------------------------------------------------------------ changes in

    def handle_changes(self, changes: Sequence[Change]) -> None:
        """Turn one batch of poller (or action) changes into messages for the screen."""
        self.router.route(changes)

    def _post_main(self, message: Any) -> None:
        if self._main is not None:
            self._main.post_message(message)

    def on_job_finished(self, message: JobFinished) -> None:
        severity = _FINISH_SEVERITY.get(message.status, "information")
        self.notify(message.text, title="Job finished", severity=severity, timeout=10)
        if self.settings.bell:
            self.bell()

    def _tick(self) -> None:
        """Once a second: the status line's "updated N s ago" (one line of text)."""
        if self._main is not None and self._main.is_mounted:
            self._main.update_status()

    def status_snapshot(self, shown: int | None = None, filter_label: str = "") -> StatusSnapshot:
        """What the status line shows now."""
        return StatusSnapshot(
            workspace=self.workspace,
            demo=self.demo,
            poller=self.poller.status if self.poller is not None else None,
            connect_error=self.connect_error,
            cached_since=self.store.cached_since,
            now=self.clock.monotonic(),
            now_wall=self.clock.time(),
            interval=self.poller_settings.list_interval,
            paused=self.paused,
            counts=self.store.counts_by_group(),
            read_only=self.read_only,
            demo_reason=self.settings.demo_reason,
            shown=shown,
            filter_label=filter_label,
        )

    # ------------------------------------------------------------------ selection

    def select_job(self, job_id: str | None) -> None:
        """The user rests on a job: pin it and fetch its detail now unless fresh, and the
        names of its files."""
        if self.poller is not None:
            self.poller.select(job_id)
        else:
            self.store.select(job_id)
        if job_id is not None and self._client is not None and self._api_answering():
            self._fetch_file_names(job_id)

    def _api_answering(self) -> bool:
        """Whether the poller's last request went through: file names are not looked up
        through a 429's backoff, an outage or a refused key (the next selection asks)."""
        return self.poller is None or self.poller.status.failures == 0

    @work(group="files", exclusive=True, exit_on_error=False)
    async def _fetch_file_names(self, job_id: str) -> None:
        """Hand the detail pane the names of a job's files; one that cannot be read keeps
        showing its id, without a notice (one per file per selection would be a storm)."""
        view = self.store.get(job_id)
        if view is None or self._client is None:
            return
        names = await self.file_names.look_up(self._client, view.job)
        if names and self._main is not None and self._main.is_mounted:
            self._main.detail.set_file_names(names)

    def highlighted_view(self) -> JobView | None:
        """The store's view of the job under the cursor."""
        if self._main is None or not self._main.is_mounted:
            return None
        job_id = self._main.highlighted_job_id
        return self.store.get(job_id) if job_id else None

    def _need_job(self) -> JobView | None:
        view = self.highlighted_view()
        if view is None:
            self.notify("No job selected", severity="warning", timeout=3)
        return view

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only mode refuses mutating actions however they are invoked, and says so (no
        binding has them then, so only a request for the action itself gets here)."""
        return not self.refusals.refuses(action)

    def on_key(self, event: events.Key) -> None:
        """A read-only refusal's notice for the keys cancel and start would have had."""
        self.refusals.key_pressed(event, self.keymap)

    def action_refresh_now(self) -> None:
        """Poll now (also while paused: the user asked for it). After the API refused the key,
        the key is read again first (``api_key_command`` runs again)."""
        if self.poller is not None and self.poller.status.state is PollerState.HALTED:
            self._retry_with_fresh_key()
            return
        if self.poller is not None:
            self.poller.refresh_now()
        self.notify("Refreshing…", timeout=1.5)

    @work(group="connect", exclusive=True, exit_on_error=False)
    async def _retry_with_fresh_key(self) -> None:
        """Read the key again (a fixed password-manager entry, say), then poll at once."""
        try:
            reread = self._connection is not None and await self._connection.reload_key()
        except FinetopError as error:
            self.notify(str(error), title="Cannot read the API key", severity="error", timeout=30)
            return
        if self.poller is not None:
            self.poller.refresh_now()
        self.notify("Key read again; retrying…" if reread else "Retrying…", timeout=3)

    def action_toggle_pause(self) -> None:
        """Pause or resume polling and repaints."""
        self.paused = not self.paused
        if self.poller is not None:
            if self.paused:
                self.poller.pause()
            else:
                self.poller.resume()
        if not self.paused and self._main is not None:
            self._main.flush_deferred()
        self._tick()

    def action_scale_interval(self, factor: float) -> None:
        """Multiply the poll intervals by ``factor`` (the poller keeps it within bounds)."""
        if self.poller is None:
            return
        before = self.poller.interval_scale
        after = self.poller.scale_interval(factor)
        interval = self.poller.status.interval
        if after == before:
            self.notify(f"Poll interval stays {fmt_seconds(interval)} (limit)", timeout=2)
        else:
            self.notify(f"Polling every {fmt_seconds(interval)}", timeout=2)
        self._tick()

    def on_app_focus(self) -> None:
        if self.poller is not None:
            self.poller.set_focus(True)

    def on_app_blur(self) -> None:
        # Slow down while nobody looks (the poller applies its unfocused factor).
        if self.poller is not None:
            self.poller.set_focus(False)

    @refused_when_read_only("cancel_job")
    def action_cancel_job(self) -> None:
        """Ask, then cancel the highlighted job."""
        view = self._need_job()
        if view is not None:
            self.mutations.ask_cancel(view, self._mutate)

    @refused_when_read_only("start_job")
    def action_start_job(self) -> None:
        """Ask, then start the highlighted job (VALIDATED, waiting because auto_start is off)."""
        view = self._need_job()
        if view is not None:
            self.mutations.ask_start(view, self._mutate)

    @work(group="actions", exit_on_error=False)
    async def _mutate(self, verb: str, job_id: str, label: str) -> None:
        """Call the API in a worker; its answer goes through the store like a poll's."""
        if not self.read_only:
            await self.mutations.run(self.client, self.poller, verb, job_id, label)

    def action_copy_job_id(self) -> None:
        """Copy the highlighted job's id (OSC 52: works over SSH) and say what was copied."""
        view = self._need_job()
        if view is not None:
            self.share.copy("job id", view.job.id)

    def action_copy_model(self) -> None:
        """Copy the fine-tuned model's name, once there is one, and say what was copied."""
        view = self._need_job()
        if view is None:
            return
        model = view.job.fine_tuned_model
        if not model:
            self.notify("No fine-tuned model yet (it appears on SUCCESS)", timeout=3)
            return
        self.share.copy("model", model)

    def action_open_wandb(self) -> None:
        """Open the W&B run (http(s) only) in a browser, or copy its URL when none is
        reachable; anything else is shown as inert text with the reason."""
        view = self._need_job()
        if view is not None:
            self.share.open_wandb(view.job)

    def action_command_palette(self) -> None:
        """Show the command palette (its search applies keys typed in a burst in order)."""
        if self.use_command_palette and not OrderedCommandPalette.is_open(
            cast("App[object]", self)
        ):
            self.push_screen(OrderedCommandPalette(id="--command-palette"))

    def action_help(self) -> None:
        """List every key (after the keymap)."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(
                help_rows(read_only=self.read_only, keymap=self.keymap), read_only=self.read_only
            )
        )

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG screenshot and say where (``f8``; Textual's own signature)."""
        Screenshots(self).take(filename, path or self.screenshot_dir)

    async def action_quit(self) -> None:
        """Leave (the simulator stops with the app)."""
        self.exit(0)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A crashed poller must not go unnoticed: say so instead of freezing silently.
        worker = event.worker
        if worker.group == "poller" and worker.error is not None:
            self.notify(f"Polling stopped: {worker.error}", severity="error", timeout=30)
