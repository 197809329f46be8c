"""Writes the fuzzer's seed corpus (seeds/): what python-hyper's h2 client sends for a few
Echo calls, each file a control byte (see Sources/nghttp2-safety-fuzz/FuzzInput.swift)
followed by the client's bytes. Rerun after changing the inputs below:

    python3 make_seeds.py      (needs h2, as in ../abuse/requirements.txt)
"""

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "abuse"))

import h2.config  # noqa: E402
import h2.connection  # noqa: E402
import h2.settings  # noqa: E402

from h2abuse import ECHO_PATH, header_frames, literal_block, request_headers  # noqa: E402

WHOLE, ONE_BYTE, THIRTEEN, HUNDRED = 0, 1, 2, 3
GRACEFUL, TIME_HALFWAY, TIME_AT_END, CLOSE_HALFWAY, UNWRITABLE, WRITE_ERROR = 0x04, 0x08, 0x10, 0x20, 0x40, 0x80


def client(settings=None):
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    if settings:
        conn.update_settings(settings)
    return conn


def echo_call(conn, stream_id, text="seed", end=True):
    body = json.dumps({"text": text}).encode()
    conn.send_headers(stream_id, request_headers(ECHO_PATH, [("content-length", str(len(body)))]))
    conn.send_data(stream_id, body, end_stream=end)


def seeds():
    conn = client()
    echo_call(conn, 1)
    yield "echo", WHOLE, conn.data_to_send()

    conn = client()
    echo_call(conn, 1)
    yield "echo-one-byte-reads", ONE_BYTE, conn.data_to_send()

    conn = client()
    for stream_id in (1, 3, 5):
        echo_call(conn, stream_id, text=f"call {stream_id}")
    conn.ping(b"12345678")
    conn.increment_flow_control_window(1 << 20)
    yield "three-calls-ping-window-update", THIRTEEN, conn.data_to_send()

    conn = client({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1})
    echo_call(conn, 1, text="x" * 300)
    yield "one-byte-window", HUNDRED | TIME_AT_END, conn.data_to_send()

    conn = client()
    echo_call(conn, 1, text="y" * 2000)
    yield "body-over-the-cap", HUNDRED, conn.data_to_send()

    conn = client()
    echo_call(conn, 1, end=False)
    conn.reset_stream(1)
    echo_call(conn, 3)
    yield "reset-then-call", WHOLE, conn.data_to_send()

    conn = client()
    echo_call(conn, 1)
    echo_call(conn, 3)
    yield "graceful-close-between-calls", THIRTEEN | GRACEFUL | TIME_HALFWAY, conn.data_to_send()

    conn = client()
    echo_call(conn, 1)
    echo_call(conn, 3)
    yield "peer-closes-mid-call", THIRTEEN | CLOSE_HALFWAY, conn.data_to_send()

    conn = client()
    for stream_id in (1, 3, 5):
        echo_call(conn, stream_id, text="u" * 500)
    yield "unwritable-socket", THIRTEEN | UNWRITABLE, conn.data_to_send()

    conn = client()
    echo_call(conn, 1)
    echo_call(conn, 3)
    yield "write-error", THIRTEEN | WRITE_ERROR, conn.data_to_send()

    conn = client()
    preface = conn.data_to_send()
    block = literal_block(request_headers(ECHO_PATH, [("x-long", "z" * 40)]))
    body = json.dumps({"text": "continued"}).encode()
    yield "continuation", WHOLE, preface + header_frames(1, block, end_stream=False, max_frame=30) + bytes(
        [0, 0, len(body), 0, 1, 0, 0, 0, 1]) + body


def main():
    directory = pathlib.Path(__file__).resolve().parent / "seeds"
    directory.mkdir(exist_ok=True)
    for name, control, wire in seeds():
        (directory / name).write_bytes(bytes([control]) + wire)
        print(f"{name}: {len(wire) + 1} bytes")


if __name__ == "__main__":
    main()
