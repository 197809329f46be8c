"""Many connections opened and abandoned in every state a client can leave one in: before
the preface, mid-preface, after SETTINGS, mid-request, mid-frame and with a call running."""

import json
import socket
import time

import hpack

from h2abuse import ECHO_PATH, PREFACE, SLEEP_PATH, frame, request_headers

CONNECTIONS = 600
DATA, HEADERS, SETTINGS = 0x0, 0x1, 0x4
END_STREAM, END_HEADERS = 0x1, 0x4


def abandoned_bytes(kind):
    encoder = hpack.Encoder()
    settings = frame(SETTINGS, 0, 0)
    if kind == 0:
        return b""
    if kind == 1:
        return PREFACE[:10]
    if kind == 2:
        return PREFACE + settings
    if kind == 3:
        return PREFACE + settings + frame(HEADERS, END_HEADERS, 1, encoder.encode(request_headers(ECHO_PATH)))
    if kind == 4:
        return PREFACE + settings + frame(DATA, 0, 1, b"z" * 100, length=10000)[:50]
    body = json.dumps({"milliseconds": 5000}).encode()
    return (PREFACE + settings + frame(HEADERS, END_HEADERS, 1, encoder.encode(request_headers(SLEEP_PATH)))
            + frame(DATA, END_STREAM, 1, body))


def test_abandoned_connections(server):
    sockets = []
    for index in range(CONNECTIONS):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        data = abandoned_bytes(index % 6)
        if data:
            sock.sendall(data)
        sockets.append(sock)
    time.sleep(1)
    # They stay open (the idle timeout is 300 s): all are still served.
    for sock in sockets:
        sock.close()


def test_connections_reset_by_the_client(server):
    """Connections closed with RST (SO_LINGER 0) in the middle of a call."""
    for index in range(200):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(abandoned_bytes(3 + index % 3))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
