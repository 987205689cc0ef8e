"""One deadline for a whole fetch, down to every socket read and write.

httpx's timeouts bound each read on its own: a server that sends its headers a byte at a time,
each byte in time, could hold a fetch (and the worker or web thread doing it) for as long as it
liked. The streams here give each read, write and handshake at most what is left of the fetch's
deadline, and none once it has passed.
"""

import ssl
import time
from typing import Any

import httpcore
import httpx


def deadline_transport(deadline: float, ssl_context: ssl.SSLContext) -> httpx.HTTPTransport:
    """An httpx transport whose every socket operation ends by ``deadline`` (time.monotonic())."""
    transport = httpx.HTTPTransport(verify=ssl_context, trust_env=False)
    # httpx takes no network backend of its own; its pool does (httpcore's public argument).
    transport._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=_Backend(deadline))
    return transport


def _capped(timeout: float | None, deadline: float, error: type[Exception]) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the fetch's time is up")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: float):
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _capped(timeout, self._deadline, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout, self._deadline, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname,
                                    _capped(timeout, self._deadline, httpcore.ConnectTimeout))
        return _Stream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, deadline: float):
        self._inner, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, _capped(timeout, self._deadline, httpcore.ConnectTimeout),
                                         local_address, socket_options)
        return _Stream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
