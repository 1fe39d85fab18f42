"""The reachability probe answers within its time-out, and says why not."""

import socket
import time

from santa_lib.sources.network import host_reachable


def test_a_listening_port_is_reachable_and_a_closed_one_is_not():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert host_reachable(f"http://127.0.0.1:{port}/file", timeout=2)[0] is True
    reachable, reason = host_reachable(f"http://127.0.0.1:{port}/file", timeout=2)
    assert reachable is False and f"127.0.0.1:{port} cannot be reached" in reason


def test_a_host_that_never_answers_is_given_up_on_in_time(monkeypatch):
    def no_answer(address, timeout):
        time.sleep(timeout + 5)

    monkeypatch.setattr(socket, "create_connection", no_answer)
    started = time.perf_counter()
    reachable, reason = host_reachable("https://storage.googleapis.com/x", timeout=0.3)
    assert time.perf_counter() - started < 2
    assert reachable is False and reason == "storage.googleapis.com did not answer within 0.3 s"
