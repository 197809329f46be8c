"""The engine's own limits under attack: more connections than the cap, and uploads on
many streams that outrun the calls they feed."""

import json
import os
import socket
import time

import h2.events

from h2abuse import PREFACE, SLEEP_PATH, Client, frame, request_headers

SETTINGS = 0x4
# scripts/nghttp2-safety starts the server with this cap (production: 4,096).
MAX_CONNECTIONS = int(os.environ.get("SAFETY_MAX_CONNECTIONS", "1000"))
# NGHTTP2ServerConfiguration's defaults.
BUDGET = 8 << 20
STREAM_WINDOW = 65535
MAX_STREAMS = 100


def test_connections_over_the_cap_are_closed_at_accept(server):
    """The cap plus 50 connections, all held open: the cap's worth get the server's
    SETTINGS, the rest are closed without a byte."""
    sockets = []
    try:
        for _ in range(MAX_CONNECTIONS + 50):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            try:
                sock.sendall(PREFACE + frame(SETTINGS, 0, 0))
            except (BrokenPipeError, ConnectionResetError):
                pass
            sockets.append(sock)
        admitted = refused = 0
        for sock in sockets:
            # Not select(): these descriptors are past its limit of 1,024.
            sock.settimeout(10)
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            except socket.timeout:
                raise AssertionError("a connection got neither SETTINGS nor a close within 10 s")
            if data:
                assert data[3] == SETTINGS, f"an admitted connection began with frame type {data[3]}"
                admitted += 1
            else:
                refused += 1
        assert admitted <= MAX_CONNECTIONS, f"{admitted} connections admitted over a cap of {MAX_CONNECTIONS}"
        # Connections of earlier tests the server still closes may take a few slots.
        assert refused >= 50, f"only {refused} of the connections over the cap were refused"
        assert admitted >= MAX_CONNECTIONS - 20, f"only {admitted} connections admitted under a cap of {MAX_CONNECTIONS}"
    finally:
        for sock in sockets:
            sock.close()


def test_upload_flood_is_held_back_by_flow_control(server):
    """Four connections, each with 100 streams uploading 1 MiB bodies to Sleep (5 s) as
    fast as the windows allow, for 10 s. Without the per-connection budget every body
    completes and its call sleeps holding it (about 35 MiB per connection here, limited only
    by the server's 64 KiB connection window); with it, the bytes a connection has sent
    beyond the bodies of answered calls stay within the budget, one window per stream and
    two bodies (the running call's and the next one's) — and calls are still answered."""
    body = json.dumps({"milliseconds": 5000}).encode()
    body += b" " * ((1 << 20) - len(body))
    streams = range(1, 2 * MAX_STREAMS, 2)
    clients = []
    try:
        for _ in range(4):
            client = Client(server.port)
            client.read_for(0.5, until=lambda c: c.conn.remote_settings.max_concurrent_streams <= MAX_STREAMS)
            for stream_id in streams:
                client.conn.send_headers(stream_id, request_headers(SLEEP_PATH))
            client.flush()
            clients.append({"client": client, "left": {stream_id: memoryview(body) for stream_id in streams}, "sent": 0})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for state in clients:
                client = state["client"]
                if client.closed_by_server:
                    continue
                for stream_id, view in list(state["left"].items()):
                    while view:
                        count = min(client.conn.local_flow_control_window(stream_id), client.conn.max_outbound_frame_size, len(view))
                        if count <= 0:
                            break
                        client.conn.send_data(stream_id, bytes(view[:count]), end_stream=count == len(view))
                        view = view[count:]
                        state["sent"] += count
                    if view:
                        state["left"][stream_id] = view
                    else:
                        del state["left"][stream_id]
                client.flush()
                client.read_for(0.001)
        for state in clients:
            client = state["client"]
            assert not client.closed_by_server, "the server closed a connection that kept to flow control"
            answered = len({e.stream_id for e in client.events if isinstance(e, h2.events.ResponseReceived)})
            held = state["sent"] - answered * len(body)
            bound = BUDGET + MAX_STREAMS * STREAM_WINDOW + 2 * len(body) + (1 << 20)
            assert held <= bound, f"a connection had {held} body bytes unanswered ({state['sent']} sent, {answered} calls answered), bound {bound}"
            assert answered >= 1, f"no call of a flooded connection was answered ({state['sent']} bytes sent, {len(state['left'])} bodies unfinished)"
    finally:
        for state in clients:
            state["client"].close()
