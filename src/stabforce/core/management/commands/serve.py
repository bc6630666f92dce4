"""`stabforce serve`: serve an existing database with gunicorn (a production WSGI server)."""

from __future__ import annotations

import logging
import os
import signal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

logger = logging.getLogger("gunicorn.error")


class Command(BaseCommand):
    help = "Serve an existing stabforce database over HTTP with gunicorn (not runserver)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")

    def handle(self, *args, **options) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "The database is not set up (migrations pending). Run `stabforce migrate`, or "
                "`stabforce demo --no-serve` to build the demo mission."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        from stabforce.planning.services import requeue_interrupted_runs

        # Plan runs execute on threads of the server process; those of a previous server died
        # with it. Queue them again: the workers resume them (see _resume_plan_runs).
        requeued = requeue_interrupted_runs()
        if requeued:
            self.stdout.write(f"{requeued} interrupted plan run(s) queued again")
        connection.close()  # never share a connection across the forked workers
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"stabforce serving on http://{bind}/  (Ctrl-C stops)")
        self.stdout.flush()
        _GunicornServer(
            {
                "bind": bind,
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "accesslog": "-",
                "errorlog": "-",
                "timeout": 120,
                "graceful_timeout": 10,
                "forwarded_allow_ips": "127.0.0.1",
                "proc_name": "stabforce",
                "limit_request_line": 8190,
                "limit_request_fields": 100,
                "post_worker_init": _resume_plan_runs,
                "worker_abort": _mark_aborted,
                "worker_exit": _hand_back_plan_runs,
                "child_exit": _requeue_runs_of_worker,
            }
        ).run()


def _resume_plan_runs(worker) -> None:  # noqa: ANN001 - gunicorn's Worker
    """In each worker, once it is ready: execute queued plan runs — those a previous server
    or a dead worker left, then every 5 s whatever is queued and not yet claimed, while the
    machine has free run slots.

    Workers race for them; each run is claimed atomically, so each runs once.

    The worker hands its runs back as soon as it is told to stop (SIGTERM): it may then take
    up to the graceful timeout to finish its requests, and be killed before ``worker_exit``.
    """
    from stabforce.planning.services import resume_queued_runs_in_background

    graceful_stop = signal.getsignal(signal.SIGTERM)

    def hand_back_then_stop(signum, frame) -> None:  # noqa: ANN001 - a signal frame
        _hand_back(worker)
        if callable(graceful_stop):
            graceful_stop(signum, frame)

    signal.signal(signal.SIGTERM, hand_back_then_stop)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn set it: requests go on
    resume_queued_runs_in_background()


def _mark_aborted(worker) -> None:  # noqa: ANN001 - gunicorn's Worker
    """In a worker the server aborts because it stopped answering: not an orderly stop."""
    worker.stabforce_aborted = True


def _hand_back_plan_runs(server, worker) -> None:  # noqa: ANN001 - gunicorn's objects
    """In a worker on its way out in an orderly way (the server stopping or restarting, the
    worker replaced on reload): queue its running plan runs again without counting the
    attempt against them. An aborted worker's runs are left to the server's child_exit hook,
    which counts it: a run that hangs its worker must not be retried for ever."""
    if getattr(worker, "stabforce_aborted", False) or os.getpid() != worker.pid:
        return  # aborted; or gunicorn reporting, in the server, a worker that is already gone
    # A second Ctrl-C (gunicorn's handler calls sys.exit) must not cut the hand-back short;
    # the worker is on its way out anyway.
    for stop_signal in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(stop_signal, signal.SIG_IGN)
    _hand_back(worker)


def _hand_back(worker) -> None:  # noqa: ANN001 - gunicorn's Worker
    """Claim no more plan runs in this worker and queue its running ones again."""
    from stabforce.planning.services import hand_back_runs_of_this_process, stop_taking_runs

    stop_taking_runs()
    try:
        handed_back = hand_back_runs_of_this_process()
        if handed_back:
            logger.info(
                "%s plan run(s) of worker %s queued again as it stops", handed_back, worker.pid
            )
    finally:
        connection.close()


def _requeue_runs_of_worker(server, worker) -> None:  # noqa: ANN001 - gunicorn's objects
    """In the server (master) process, when a worker exits: its running plan runs died with it;
    queue them again for the workers (the replacement resumes them once it is ready)."""
    from stabforce.planning.services import requeue_interrupted_runs

    try:
        requeued = requeue_interrupted_runs(worker_pid=worker.pid)
        if requeued:
            server.log.info("%s plan run(s) of worker %s queued again", requeued, worker.pid)
    finally:
        connection.close()  # the server forks new workers: never hand them this connection


class _GunicornServer(BaseApplication):
    """gunicorn run in-process with options from the command line, not a config file."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn 25.1 and later
            # its control socket would go to ~/.gunicorn, shared by every server of the user;
            # stabforce is run by its own command, not by gunicornc
            self.cfg.set("control_socket_disable", True)

    def load(self):
        from stabforce.wsgi import application

        return application
