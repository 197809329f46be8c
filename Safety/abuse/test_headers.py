"""Header floods: many headers, huge headers, endless CONTINUATION, an HPACK bomb.

The engine caps a request's header list at 16 KiB (SETTINGS_MAX_HEADER_LIST_SIZE, reset
past it); nghttp2 bounds a single field and the CONTINUATION frames of one block."""

import hpack

from h2abuse import ECHO_PATH, Client, frame, header_frames, literal_block, request_headers

HEADERS, CONTINUATION = 0x1, 0x9
END_STREAM, END_HEADERS = 0x1, 0x4


def test_many_headers(server):
    """200 streams, each with 5,000 small headers (about 230 KiB of header list)."""
    client = Client(server.port)
    block = literal_block(request_headers(ECHO_PATH, [(f"x-flood-{i}", "v" * 10) for i in range(5000)]))
    for stream_id in range(1, 400, 2):
        client.send_raw(header_frames(stream_id, block))
        if client.closed_by_server:
            break
    client.read_for(2, until=lambda c: len(c.reset_streams()) >= 200)
    refused = client.goaway_error() is not None or client.reset_by_server
    assert refused or client.reset_streams(), "an oversized header list was neither reset nor refused"
    assert not client.answered_streams(), "a request over the header list cap was answered"
    client.close()


def test_huge_header_value(server):
    """One 1 MiB header value, split over CONTINUATION frames."""
    client = Client(server.port)
    block = literal_block(request_headers(ECHO_PATH, [("x-huge", "h" * (1 << 20))]))
    for stream_id in (1, 3, 5):
        client.send_raw(header_frames(stream_id, block))
        if client.closed_by_server:
            break
    client.read_for(2, until=lambda c: c.closed_by_server or c.goaway_error() is not None or len(c.reset_streams()) == 3)
    refused = client.goaway_error() is not None or client.reset_by_server
    assert refused or client.reset_streams(), "a 1 MiB header was neither reset nor refused"
    assert not client.answered_streams(), "a request with a 1 MiB header was answered"
    client.close()


def test_continuation_flood(server):
    """HEADERS without END_HEADERS, then 20,000 CONTINUATION frames that never end the
    block (CVE-2024-28182's shape): each carries a new literal field."""
    client = Client(server.port)
    encoder = hpack.Encoder()
    first = encoder.encode(request_headers(ECHO_PATH))
    client.send_raw(client.conn.data_to_send() + frame(HEADERS, END_STREAM, 1, first))
    chunk = b""
    for i in range(20000):
        chunk += frame(CONTINUATION, 0, 1, encoder.encode([(f"x-c-{i % 64}", "c" * 64)]))
        if len(chunk) > 256 << 10:
            client.send_raw(chunk)
            chunk = b""
            if client.closed_by_server:
                break
    if chunk and not client.closed_by_server:
        client.send_raw(chunk)
    client.read_for(2, until=lambda c: c.goaway_error() is not None)
    client.close()


def test_continuation_flood_with_empty_frames(server):
    """The cheapest form: 100,000 empty CONTINUATION frames (9 bytes each)."""
    client = Client(server.port)
    first = hpack.Encoder().encode(request_headers(ECHO_PATH))
    client.send_raw(client.conn.data_to_send() + frame(HEADERS, END_STREAM, 1, first))
    empty = frame(CONTINUATION, 0, 1) * 10000
    for _ in range(10):
        client.send_raw(empty)
        if client.closed_by_server:
            break
    client.read_for(2, until=lambda c: c.goaway_error() is not None)
    client.close()


def test_hpack_bomb(server):
    """A 4 KiB field put in the dynamic table once, then referenced by one-byte indexes:
    each block decodes to 16 MB of header list while costing 4 KiB on the wire."""
    client = Client(server.port)
    setup = hpack.Encoder().encode(request_headers(ECHO_PATH, [("x-bomb", "b" * 4000)]))
    client.send_raw(client.conn.data_to_send() + frame(HEADERS, END_STREAM | END_HEADERS, 1, setup))
    # The field fills the 4 KiB dynamic table alone, so it is index 62 (the newest entry).
    path = ECHO_PATH.encode()
    bomb = bytes([0x83, 0x86, 0x04, len(path)]) + path + bytes([0x80 | 62]) * 4000
    for stream_id in range(3, 3 + 2 * 200, 2):
        client.send_raw(frame(HEADERS, END_STREAM | END_HEADERS, stream_id, bomb))
        if client.closed_by_server:
            break
    client.read_for(2, until=lambda c: c.closed_by_server or len(c.reset_streams()) >= 200)
    assert client.closed_by_server or client.reset_streams(), "the HPACK bomb was neither reset nor refused"
    assert client.answered_streams() <= {1}, "a request with a 16 MB header list was answered"
    client.close()
