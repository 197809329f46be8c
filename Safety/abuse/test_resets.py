"""Rapid reset (CVE-2023-44487): open a stream, reset it at once, thousands of times.

Each HEADERS with END_STREAM dispatches a call that the reset then cancels; the concurrent
stream limit never bites because every stream is closed a moment after it opens."""

import json

import pytest

from h2abuse import ECHO_PATH, SLEEP_PATH, Client, request_headers

STREAMS_PER_CONNECTION = 5000


@pytest.mark.parametrize("path", [ECHO_PATH, SLEEP_PATH])
def test_rapid_reset(server, path):
    client = Client(server.port)
    body = json.dumps({"text": "x"} if path == ECHO_PATH else {"milliseconds": 5000}).encode()
    stream_id = 1
    for batch in range(STREAMS_PER_CONNECTION // 100):
        if client.closed_by_server or client.goaway_error() is not None:
            break
        for _ in range(100):
            # The body spends connection window; the server's WINDOW_UPDATEs refill it.
            if client.conn.outbound_flow_control_window < len(body):
                client.flush()
                client.read_for(2, until=lambda c: c.conn.outbound_flow_control_window >= len(body))
                if client.conn.outbound_flow_control_window < len(body):
                    break
            client.conn.send_headers(stream_id, request_headers(path))
            client.conn.send_data(stream_id, body, end_stream=True)
            client.conn.reset_stream(stream_id)
            stream_id += 2
        client.flush()
    client.read_for(2)
    # nghttp2's stream reset rate limit (Debian's CVE-2023-44487 fix: a burst of 1,000, then
    # 33 a second) ends such a connection with GOAWAY INTERNAL_ERROR (2).
    assert client.goaway_error() in (None, 0x2, 0xB), f"GOAWAY with error {client.goaway_error()}"
    client.close()


def test_reset_of_open_calls_on_many_connections(server):
    """Sleeping calls on 20 connections, each reset while the handler sleeps."""
    clients = [Client(server.port) for _ in range(20)]
    body = json.dumps({"milliseconds": 5000}).encode()
    for client in clients:
        for stream_id in range(1, 2 * 50, 2):
            client.conn.send_headers(stream_id, request_headers(SLEEP_PATH))
            client.conn.send_data(stream_id, body, end_stream=True)
        client.flush()
    for client in clients:
        client.read_for(0.05)
        for stream_id in range(1, 2 * 50, 2):
            client.conn.reset_stream(stream_id)
        client.flush()
    for client in clients:
        client.read_for(0.2)
        assert not client.answered_streams(), "a call reset while it ran was still answered"
        client.close()
