"""Run the simulator with uvicorn: in the foreground (``trimtab sim``) or in a background
thread on a free loopback port (tests, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from trimtab.brokers.sim.app import create_app
from trimtab.brokers.sim.simulator import Simulator


def serve(simulator: Simulator, *, host: str, port: int) -> None:
    """Serve until interrupted."""
    uvicorn.run(create_app(simulator), host=host, port=port, log_level="warning", ws="none")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class BackgroundServer:
    """``with BackgroundServer(sim) as server:`` serves on ``server.base_url`` until exit."""

    def __init__(self, simulator: Simulator, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(
            create_app(simulator), host=host, port=self.port, log_level="warning", ws="none"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="trimtab-sim", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"simulator did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
