"""An HTTP/2 client that misbehaves on purpose, on python-hyper's h2 (not our stack, so the
server never only agrees with itself), and the checks every abuse test ends with.

Frames h2 refuses to send (oversized, out of order) are built by hand with hyperframe or
as raw bytes.
"""

import json
import os
import select
import socket
import struct
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

ECHO_PATH = "/tender.safety.v1.SafetyService/Echo"
SLEEP_PATH = "/tender.safety.v1.SafetyService/Sleep"
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def request_headers(path, extra=()):
    return [
        (":method", "POST"),
        (":scheme", "http"),
        (":path", path),
        (":authority", "127.0.0.1"),
        ("content-type", "application/json"),
        *extra,
    ]


def hpack_integer(value, prefix_bits, first_byte=0):
    """An HPACK integer (RFC 7541 §5.1) with the given prefix bits set in the first byte."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte | value])
    out, value = [first_byte | limit], value - limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    return bytes(out + [value])


def literal_block(headers):
    """A header block of literal fields without indexing and without Huffman coding: the
    server's HPACK table is left alone, so one block can be sent any number of times, and
    it is built in linear time (python-hpack's Huffman coder is quadratic in a value's size)."""
    out = bytearray()
    for name, value in headers:
        name, value = name.encode(), value.encode()
        out += b"\x00" + hpack_integer(len(name), 7) + name + hpack_integer(len(value), 7) + value
    return bytes(out)


def header_frames(stream_id, block, end_stream=True, max_frame=16384):
    """`block` as HEADERS and as many CONTINUATION frames as it needs."""
    pieces = [block[i : i + max_frame] for i in range(0, len(block), max_frame)] or [b""]
    out = bytearray()
    for index, piece in enumerate(pieces):
        flags = 0x4 if index == len(pieces) - 1 else 0
        if index == 0:
            out += frame(0x1, flags | (0x1 if end_stream else 0), stream_id, piece)
        else:
            out += frame(0x9, flags, stream_id, piece)
    return bytes(out)


def frame(frame_type, flags, stream_id, payload=b"", length=None):
    """One raw frame; `length` may lie about the payload's size."""
    size = len(payload) if length is None else length
    return struct.pack(">I", size)[1:] + bytes([frame_type, flags]) + struct.pack(">I", stream_id & 0x7FFFFFFF) + payload


class Client:
    """One connection with an h2 state machine; `raw` sends bytes h2 would never produce."""

    def __init__(self, port, settings=None, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding="utf-8", validate_outbound_headers=False)
        )
        self.conn.initiate_connection()
        if settings:
            self.conn.update_settings(settings)
        self.events = []
        # Every frame received, parsed by hand: once a test sent what h2 did not produce, h2's
        # view may reject what comes back, but the raw frames still tell what the server did.
        self.frames = []
        self._pending = b""
        self.h2_broken = False
        self.closed_by_server = False
        # The server closed with our bytes unread, so its kernel reset the connection; a
        # GOAWAY it sent just before may then be lost (a reset discards what was unread here).
        self.reset_by_server = False
        # What h2 answers (ACKs) while send_raw is mid-way through its bytes waits for them:
        # interleaved, it would land inside a frame, or before the preface.
        self._sending = False
        self._deferred = b""
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.send_raw(data)

    def send_body(self, stream_id, body, timeout=10.0):
        """Sends a request body as flow control allows, waiting for WINDOW_UPDATEs."""
        deadline = time.monotonic() + timeout
        view = memoryview(body)
        while view and not self.closed_by_server and time.monotonic() < deadline:
            window = min(self.conn.local_flow_control_window(stream_id), self.conn.max_outbound_frame_size)
            if window <= 0:
                self.read_for(0.05, until=lambda c: c.conn.local_flow_control_window(stream_id) > 0)
                continue
            self.conn.send_data(stream_id, bytes(view[:window]), end_stream=len(view) <= window)
            view = view[window:]
            self.flush()
        assert not view, f"stream {stream_id}: {len(view)} body bytes not sent"

    def send_raw(self, data):
        """Sends `data` while reading whatever the server sends meanwhile, so that neither
        side blocks on a full socket buffer."""
        self._sending = True
        view = memoryview(data)
        while view:
            readable, writable, _ = select.select([self.sock], [self.sock], [], 10)
            if readable:
                self._read_once()
            if self.closed_by_server:
                self._sending = False
                return
            if writable:
                try:
                    sent = self.sock.send(view[:65536])
                except (BrokenPipeError, ConnectionResetError):
                    self.closed_by_server = True
                    self.reset_by_server = True
                    self._sending = False
                    return
                view = view[sent:]
        self._sending = False
        if self._deferred and not self.closed_by_server:
            deferred, self._deferred = self._deferred, b""
            self.send_raw(deferred)

    def _read_once(self):
        try:
            data = self.sock.recv(1 << 20)
        except (socket.timeout, BlockingIOError):
            return
        except ConnectionResetError:
            self.reset_by_server = True
            data = b""
        if not data:
            self.closed_by_server = True
            return
        self._parse_frames(data)
        if self.h2_broken:
            return
        try:
            self.events.extend(self.conn.receive_data(data))
        except h2.exceptions.ProtocolError:
            self.h2_broken = True
            return
        out = self.conn.data_to_send()
        if out and self._sending:
            self._deferred += out
        elif out:
            try:
                self.sock.sendall(out)
            except OSError:
                self.closed_by_server = True

    def _parse_frames(self, data):
        self._pending += data
        while len(self._pending) >= 9:
            length = int.from_bytes(self._pending[:3], "big")
            if len(self._pending) < 9 + length:
                break
            frame_type, flags = self._pending[3], self._pending[4]
            stream_id = int.from_bytes(self._pending[5:9], "big") & 0x7FFFFFFF
            self.frames.append((frame_type, flags, stream_id, self._pending[9 : 9 + length]))
            self._pending = self._pending[9 + length :]

    def reset_streams(self):
        """Stream ids the server sent RST_STREAM for."""
        return {stream_id for frame_type, _, stream_id, _ in self.frames if frame_type == 0x3}

    def goaway_error(self):
        """The error code of the server's last GOAWAY, or None."""
        codes = [int.from_bytes(payload[4:8], "big") for frame_type, _, _, payload in self.frames if frame_type == 0x7]
        return codes[-1] if codes else None

    def answered_streams(self):
        """Stream ids the server sent HEADERS for."""
        return {stream_id for frame_type, _, stream_id, _ in self.frames if frame_type == 0x1}

    def read_for(self, seconds, until=None):
        """Reads for up to `seconds`, or until `until(events)` holds or the server closes."""
        deadline = time.monotonic() + seconds
        while not self.closed_by_server and time.monotonic() < deadline:
            if until and until(self):
                return True
            readable, _, _ = select.select([self.sock], [], [], max(0.0, min(0.2, deadline - time.monotonic())))
            if readable:
                self._read_once()
        return bool(until and until(self))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def echo(port, text="ping", timeout=5.0):
    """A normal Echo call on a fresh connection; returns (status, parsed body, seconds)."""
    start = time.monotonic()
    client = Client(port, timeout=timeout)
    try:
        body = json.dumps({"text": text}).encode()
        client.conn.send_headers(1, request_headers(ECHO_PATH, [("content-length", str(len(body)))]))
        client.send_body(1, body)
        done = lambda c: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == 1 for e in c.events)
        client.read_for(timeout, until=done)
        status, data = None, b""
        for event in client.events:
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == 1:
                status = int(dict(event.headers)[":status"])
            elif isinstance(event, h2.events.DataReceived) and event.stream_id == 1:
                data += event.data
        return status, (json.loads(data) if data else None), time.monotonic() - start
    finally:
        client.close()


def rss_mb(pid):
    """The process's resident set (VmRSS) in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def alive(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            state = next(line for line in status if line.startswith("State:"))
        return "Z" not in state and "X" not in state
    except (FileNotFoundError, StopIteration):
        return False


def open_sockets(pid):
    """The process's open sockets: its listener and its connections. (Other descriptors come
    and go with SwiftNIO's and the runtime's own needs, timers and event fds.)"""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except FileNotFoundError:
            pass
    return count
