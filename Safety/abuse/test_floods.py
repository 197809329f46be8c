"""Control-frame floods (CVE-2019-9512 ping flood, 9515 settings flood): each frame asks
for an ACK. A client that does not read them must not make the server queue ACKs without
bound; nghttp2 ends such a connection (ENHANCE_YOUR_CALM) or the server stops reading."""

import struct

import pytest

from h2abuse import Client, frame

SETTINGS, PING, WINDOW_UPDATE = 0x4, 0x6, 0x8


def settings_frame(index):
    # SETTINGS_INITIAL_WINDOW_SIZE and SETTINGS_MAX_FRAME_SIZE, varied so no two are alike.
    return frame(SETTINGS, 0, 0, struct.pack(">HI", 0x4, 65535 + index % 1000) + struct.pack(">HI", 0x5, 16384 + index % 1000))


@pytest.mark.parametrize("reads", [True, False], ids=["reading", "not-reading"])
@pytest.mark.parametrize("kind", ["settings", "ping", "window-update"])
def test_control_frame_flood(server, kind, reads):
    client = Client(server.port)
    client.read_for(0.2)
    if kind == "settings":
        batch = b"".join(settings_frame(i) for i in range(1000))
    elif kind == "ping":
        batch = b"".join(frame(PING, 0, 0, struct.pack(">Q", i)) for i in range(1000))
    else:
        batch = frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1)) * 1000
    if reads:
        for _ in range(50):
            client.send_raw(batch)
            if client.closed_by_server:
                break
    else:
        client.sock.setblocking(False)
        for _ in range(50):
            try:
                client.sock.sendall(batch)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
        client.sock.setblocking(True)
        client.sock.settimeout(5)
    client.read_for(2, until=lambda c: c.closed_by_server)
    # The window-update flood overflows the connection window (2^31-1) at some point: a
    # FLOW_CONTROL_ERROR is the right answer to that.
    assert client.goaway_error() in (None, 0x0, 0x3, 0xB), f"GOAWAY error {client.goaway_error()}"
    client.close()
