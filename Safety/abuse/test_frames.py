"""Frames larger than SETTINGS_MAX_FRAME_SIZE (16,384 by default), and frame headers that
promise more than ever arrives: a connection error (GOAWAY FRAME_SIZE_ERROR), no crash."""

import hpack
import pytest

from h2abuse import ECHO_PATH, Client, frame, request_headers

DATA, HEADERS, PING = 0x0, 0x1, 0x6
END_STREAM, END_HEADERS = 0x1, 0x4
FRAME_SIZE_ERROR = 0x6


@pytest.mark.parametrize("frame_type", [DATA, HEADERS, PING])
def test_oversized_frame(server, frame_type):
    client = Client(server.port)
    client.read_for(0.2)
    encoder = hpack.Encoder()
    wire = b""
    if frame_type == DATA:
        wire += frame(HEADERS, END_HEADERS, 1, encoder.encode(request_headers(ECHO_PATH)))
        wire += frame(DATA, END_STREAM, 1, b"x" * 20000)
    elif frame_type == HEADERS:
        wire += frame(HEADERS, END_STREAM | END_HEADERS, 1, encoder.encode(request_headers(ECHO_PATH, [("x-big", "b" * 20000)]), huffman=False))
    else:
        wire += frame(PING, 0, 0, b"p" * 20000)
    client.send_raw(wire)
    client.read_for(3, until=lambda c: c.goaway_error() is not None or c.closed_by_server)
    # A reset may swallow the GOAWAY (see Client.reset_by_server); it must not be another one.
    assert client.goaway_error() == FRAME_SIZE_ERROR or (client.goaway_error() is None and client.reset_by_server), (
        f"GOAWAY error {client.goaway_error()}, expected FRAME_SIZE_ERROR")
    client.close()


def test_frame_header_promising_16_mib(server):
    """A DATA frame header announcing 2^24-1 bytes, a few bytes of it, then silence; 50
    connections at once."""
    clients = []
    for _ in range(50):
        client = Client(server.port)
        client.send_raw(frame(DATA, 0, 1, b"y" * 100, length=(1 << 24) - 1))
        clients.append(client)
    for client in clients:
        client.read_for(1, until=lambda c: c.closed_by_server or c.goaway_error() is not None)
        assert client.goaway_error() in (FRAME_SIZE_ERROR, None) and (client.goaway_error() or client.closed_by_server)
        client.close()


def test_max_frame_size_raised_by_client(server):
    """A client that allows 16 MiB frames gets a 1 MiB answer in frames of any size the
    server picks; the answer arrives whole."""
    import json

    import h2.events
    import h2.settings

    client = Client(server.port, settings={h2.settings.SettingCodes.MAX_FRAME_SIZE: (1 << 24) - 1,
                                           h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: (1 << 31) - 1})
    client.conn.increment_flow_control_window((1 << 31) - 1 - 65535)
    client.flush()
    text = "m" * (1 << 20)
    body = json.dumps({"text": text}).encode()
    client.conn.send_headers(1, request_headers(ECHO_PATH))
    client.send_body(1, body)
    done = lambda c: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == 1 for e in c.events)
    client.read_for(10, until=done)
    received = b"".join(e.data for e in client.events if isinstance(e, h2.events.DataReceived) and e.stream_id == 1)
    assert json.loads(received) == {"text": text}
    client.close()
