"""Tiny windows and a client that stops reading: the server must hold answers it cannot
send without growing past them, and hold back its reads rather than queue more."""

import json
import time

import h2.settings
import hpack

from h2abuse import ECHO_PATH, Client, frame, request_headers

DATA, HEADERS = 0x0, 0x1
END_STREAM, END_HEADERS = 0x1, 0x4


def test_one_byte_window(server):
    """A 1-byte stream window and no WINDOW_UPDATE: 100 calls with 64 KiB answers wait."""
    client = Client(server.port, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1})
    client.read_for(0.5)
    body = json.dumps({"text": "w" * (64 << 10)}).encode()
    for stream_id in range(1, 200, 2):
        client.conn.send_headers(stream_id, request_headers(ECHO_PATH))
        client.conn.send_data(stream_id, body, end_stream=True)
        client.flush()
    client.read_for(2)
    # Every stream got its HEADERS and at most one byte of body.
    data_bytes = sum(len(payload) for frame_type, _, _, payload in client.frames if frame_type == 0x0)
    assert data_bytes <= 100, f"{data_bytes} body bytes passed a 1-byte window"
    client.close()


def test_client_that_never_reads(server):
    """4,000 calls with 8 KiB answers on a connection whose socket is never read: once its
    writes back up the server stops reading (and refuses streams past its limit), so what
    it holds is bounded; closing the socket frees it all."""
    client = Client(server.port)
    client.read_for(0.2)
    encoder = hpack.Encoder()
    body = json.dumps({"text": "r" * (8 << 10)}).encode()
    wire = bytearray()
    for stream_id in range(1, 8000, 2):
        wire += frame(HEADERS, END_HEADERS, stream_id, encoder.encode(request_headers(ECHO_PATH)))
        wire += frame(DATA, END_STREAM, stream_id, body)
    client.sock.setblocking(False)
    sent, deadline = 0, time.monotonic() + 3
    while sent < len(wire) and time.monotonic() < deadline:
        try:
            sent += client.sock.send(wire[sent : sent + 65536])
        except BlockingIOError:
            time.sleep(0.01)
    assert sent < len(wire), "the server read 4,000 requests without anyone reading its answers"
    time.sleep(1)
    client.close()


def test_window_drip(server):
    """A window opened one byte at a time: 20 calls answered in a trickle of 1-byte DATA
    frames, then abandoned."""
    client = Client(server.port, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1})
    client.read_for(0.5)
    body = json.dumps({"text": "d" * 4096}).encode()
    for stream_id in range(1, 40, 2):
        client.conn.send_headers(stream_id, request_headers(ECHO_PATH))
        client.conn.send_data(stream_id, body, end_stream=True)
    client.flush()
    client.read_for(0.5)
    for _ in range(200):
        for stream_id in range(1, 40, 2):
            try:
                client.conn.increment_flow_control_window(1, stream_id=stream_id)
            except Exception:
                pass
        client.flush()
        client.read_for(0.005)
    client.close()
