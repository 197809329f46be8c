"""Tiny windows and a client that stops reading: the server must hold answers it cannot
send without growing past them, and hold back its reads rather than queue more."""

import json
import struct
import time

import h2.settings
import hpack

from h2abuse import ECHO_PATH, Client, frame, request_headers

DATA, HEADERS, PING = 0x0, 0x1, 0x6
END_STREAM, END_HEADERS = 0x1, 0x4


def test_one_byte_window(server):
    """A 1-byte stream window and no WINDOW_UPDATE: 100 calls with 64 KiB answers wait."""
    client = Client(server.port, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1})
    client.read_for(0.5)
    body = json.dumps({"text": "w" * (64 << 10)}).encode()
    for stream_id in range(1, 200, 2):
        client.conn.send_headers(stream_id, request_headers(ECHO_PATH))
        client.send_body(stream_id, body)
    client.read_for(2, until=lambda c: len(c.answered_streams()) == 100)
    assert len(client.answered_streams()) == 100, "calls waiting on a 1-byte window were not answered"
    # Every stream got its HEADERS and at most one byte of body.
    data_bytes = sum(len(payload) for frame_type, _, _, payload in client.frames if frame_type == 0x0)
    assert data_bytes <= 100, f"{data_bytes} body bytes passed a 1-byte window"
    client.close()


def test_client_that_never_reads(server):
    """90 calls, then PINGs as fast as the socket takes them, and nothing ever read: each
    PING asks for an ACK, so the server's writes back up. It must then stop reading (the
    client's sends stall) or end the connection, not buffer ACKs without bound."""
    client = Client(server.port)
    client.read_for(0.2)
    encoder = hpack.Encoder()
    body = json.dumps({"text": "r" * 600}).encode()
    wire = bytearray()
    for stream_id in range(1, 180, 2):
        wire += frame(HEADERS, END_HEADERS, stream_id, encoder.encode(request_headers(ECHO_PATH)))
        wire += frame(DATA, END_STREAM, stream_id, body)
    pings = b"".join(frame(PING, 0, 0, struct.pack(">Q", i)) for i in range(4096))
    client.sock.setblocking(False)
    sent, stalled_since, deadline = 0, None, time.monotonic() + 30
    ended = False
    while time.monotonic() < deadline:
        if sent >= len(wire):
            wire, sent = pings, 0
        try:
            sent += client.sock.send(wire[sent:])
            stalled_since = None
        except BlockingIOError:
            stalled_since = stalled_since or time.monotonic()
            if time.monotonic() - stalled_since > 2:
                break
            time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            ended = True
            break
    assert ended or stalled_since, "the server kept reading PINGs for 30 s without its ACKs being read"
    client.close()


def test_window_drip(server):
    """A window opened one byte at a time: 20 calls answered in a trickle of 1-byte DATA
    frames, then abandoned."""
    client = Client(server.port, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1})
    client.read_for(0.5)
    body = json.dumps({"text": "d" * 4096}).encode()
    for stream_id in range(1, 40, 2):
        client.conn.send_headers(stream_id, request_headers(ECHO_PATH))
        client.send_body(stream_id, body)
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
