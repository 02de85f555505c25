#!/usr/bin/env python3
"""Protocol conformance and bad input, modelled on the Autobahn|Testsuite case groups (framing,
ping/pong, reserved bits, opcodes, fragmentation, UTF-8, close handling, limits), with a raw-frame
client, plus the server's own rules (Origin, user id, subprotocol, JSON errors, money, idle peers,
slow handshakes, slow consumers, metrics, shutdown).

  protocol_conformance.py --server build/bin/es-chat-server
"""
import argparse
import json
import socket
import struct
import sys
import time
import urllib.request

sys.path.insert(0, __import__('os').path.dirname(__file__))
from wsclient import (BINARY, CLOSE, CONT, PING, PONG, TEXT, Client, Closed,  # noqa: E402
                      HandshakeRefused, ServerProcess, case, cases)

ORIGIN = 'http://127.0.0.1:8080'


def refused(port, status, **kw):
    try:
        Client(port, **kw).close()
    except HandshakeRefused as e:
        assert e.status == status, (e.status, e.body)
        return
    raise AssertionError(f'expected HTTP {status}')


@case('framing')
def text_echo_between_users(port):
    a, b = Client(port, user=1), Client(port, user=2)
    a.send_json({'type': 'msg', 'to': 2, 'text': 'héllo', 'id': 'x'})
    assert a.recv_json() == {'type': 'ack', 'id': 'x', 'delivered': 1}
    assert b.recv_json()['text'] == 'héllo'
    a.close(), b.close()


@case('fragmentation')
def fragmented_text_is_reassembled(port):
    a, b = Client(port, user=1), Client(port, user=2)
    body = json.dumps({'type': 'msg', 'to': 2, 'text': 'in three frames', 'id': 'f'}).encode()
    a.send_frame(TEXT, body[:5], fin=False)
    a.send_frame(PING, b'between fragments')  # Control frames may interleave.
    a.send_frame(CONT, body[5:12], fin=False)
    a.send_frame(CONT, body[12:], fin=True)
    assert b.recv_json()['text'] == 'in three frames'
    a.close(), b.close()


@case('ping/pong')
def ping_answered_with_same_payload(port):
    a = Client(port, user=1)
    a.send_frame(PING, b'are you there')
    fin, opcode, payload = a.recv_frame()
    assert (opcode, payload) == (PONG, b'are you there'), (opcode, payload)
    a.close()


@case('reserved bits')
def reserved_bits_fail_the_connection(port):
    a = Client(port, user=1)
    a.send_frame(TEXT, b'{}', rsv=0b100)
    assert a.expect_close() == 1002


@case('opcodes')
def unknown_opcode_fails_the_connection(port):
    a = Client(port, user=1)
    a.send_frame(0x3, b'reserved opcode')
    assert a.expect_close() == 1002


@case('framing')
def unmasked_client_frame_fails_the_connection(port):
    a = Client(port, user=1)
    a.send_frame(TEXT, b'{}', mask=False)
    assert a.expect_close() == 1002


@case('utf-8')
def invalid_utf8_closes_with_1007(port):
    a = Client(port, user=1)
    a.send_frame(TEXT, b'{"type":"msg","text":"\xc3\x28"}')
    assert a.expect_close() == 1007


@case('opcodes')
def binary_message_closes_with_1003(port):
    a = Client(port, user=1)
    a.send_frame(BINARY, b'\x00\x01\x02')
    assert a.expect_close() == 1003


@case('limits')
def oversize_message_closes_with_1009(port):
    a = Client(port, user=1)
    a.send_frame(TEXT, b'x' * (64 * 1024 + 1))
    assert a.expect_close() == 1009


@case('close handling')
def client_close_is_echoed(port):
    a = Client(port, user=1)
    a.send_frame(CLOSE, struct.pack('!H', 1000) + b'bye')
    assert a.expect_close() == 1000


@case('bad input')
def malformed_json_gets_an_error_and_the_connection_stays(port):
    a, b = Client(port, user=1), Client(port, user=2)
    a.send_frame(TEXT, b'{"type": "msg", ')
    assert a.recv_json()['code'] == 'malformed-json'
    a.send_json({'type': 'teleport', 'id': 't'})
    assert a.recv_json()['code'] == 'unknown-type'
    a.send_json({'type': 'msg', 'to': 2, 'text': 'still here', 'id': 's'})
    assert a.recv_json()['type'] == 'ack' and b.recv_json()['text'] == 'still here'
    a.send_json({'type': 'msg', 'to': 999, 'text': '?', 'id': 'u'})
    assert a.recv_json() == {'type': 'error', 'code': 'unknown-recipient',
                             'message': 'user 999 is not connected', 'id': 'u'}
    a.close(), b.close()


@case('bad input')
def json_beyond_the_servers_limits_gets_an_error_and_the_connection_stays(port):
    a, b = Client(port, user=1), Client(port, user=2)
    a.send_frame(TEXT, b'{"type": "msg", "x": ' + b'[' * 40 + b']' * 40 + b'}')
    assert a.recv_json()['code'] == 'too-deep'
    a.send_frame(TEXT, b'{"type": "msg", "x": 1e400}')
    assert a.recv_json()['code'] == 'number-out-of-range'
    a.send_frame(TEXT, b'{"type": "msg", "x": 0e9999999999}')
    assert a.recv_json()['code'] == 'number-out-of-range'
    # Within the limits: nested 30 deep, an exponent that underflows to zero, a byte order mark.
    a.send_frame(TEXT, '\ufeff{"type": "msg", "to": 2, "text": "ok", "id": "d", "x": '.encode()
                 + b'[' * 30 + b'1e-400' + b']' * 30 + b'}')
    assert a.recv_json()['type'] == 'ack' and b.recv_json()['text'] == 'ok'
    a.close(), b.close()


@case('bad input')
def money_as_a_json_number_is_rejected(port):
    a, b = Client(port, user=1), Client(port, user=2)
    a.send_json({'type': 'pay', 'to': 2, 'amount': 19.99, 'currency': 'EUR', 'id': 'p1'})
    err = a.recv_json()
    assert err['code'] == 'ES-NUMERIC-001' and '[ES-NUMERIC-001]' in err['message'], err
    a.send_json({'type': 'pay', 'to': 2, 'amount': '19.99', 'currency': 'EUR', 'id': 'p2'})
    assert a.recv_json()['type'] == 'ack'
    assert b.recv_json() == {'type': 'pay', 'from': 1, 'amount': '19.99', 'currency': 'EUR', 'id': 'p2'}
    a.close(), b.close()


@case('handshake')
def origin_user_and_subprotocol_rules(port):
    refused(port, 403, user=1, origin='https://evil.example')
    Client(port, user=1, origin=ORIGIN).close()
    refused(port, 401, user=None)
    refused(port, 401, path='/ws?user=abc')
    refused(port, 400, user=1, protocols=('chat.v2',))
    c = Client(port, user=1, protocols=())
    assert c.protocol == ''
    c.close()
    c = Client(port, user=1, protocols=('other', 'chat.v1'))
    assert c.protocol == 'chat.v1'
    c.close()
    c = Client(port, path='/ws', headers={'Authorization': 'Bearer user-7'})
    c.close()


@case('limits')
def idle_peer_is_closed_with_a_code(port):
    a = Client(port, user=1)
    start = time.monotonic()
    assert a.expect_close() == 1008
    assert time.monotonic() - start < 5


@case('limits')
def slow_handshake_is_dropped(port):
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    s.sendall(b'GET /ws?user=1 HTTP/1.1\r\nHost: x\r\n')  # ... and never finishes the request.
    start = time.monotonic()
    assert s.recv(1) == b''
    assert time.monotonic() - start < 5


@case('limits')
def slow_consumer_is_closed_and_others_are_unaffected(port):
    slow, sender = Client(port, user=2), Client(port, user=3)
    big = 'x' * 32 * 1024
    for i in range(300):  # ~10 MB for a client that reads nothing.
        sender.send_json({'type': 'msg', 'to': 2, 'text': big, 'id': f'b{i}'})
    # Connected only now: a client that sends nothing is closed after --idle-timeout (2 s), which
    # the ten megabytes above can take on a loaded machine.
    fast = Client(port, user=1)
    sender.send_json({'type': 'msg', 'to': 1, 'text': 'for the fast one', 'id': 'ok'})
    while True:
        event = sender.recv_json()
        if event.get('id') == 'ok':
            break
    assert fast.recv_json()['text'] == 'for the fast one'
    assert slow.expect_close() == 1013
    metrics = urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=10).read().decode()
    assert 'chat_slow_consumers_closed_total 1' in metrics, metrics
    fast.close(), sender.close()


@case('limits')
def burst_to_a_room_arrives_complete_and_in_order(port):
    # More messages than one write at a time can carry: the writes queue up behind each other and
    # go out in batches of several frames; every member still gets all of them, in order.
    members = [Client(port, user=u) for u in (11, 12, 13)]
    for i, m in enumerate(members):
        m.send_json({'type': 'join', 'room': 'burst', 'id': f'j{i}'})
        while m.recv_json().get('id') != f'j{i}':
            pass
    # The sender is not a member: its 12 acks, like each member's 12 messages and at most 2
    # presence events, stay below --max-queued-messages=16 even if nothing were read meanwhile.
    sender = Client(port, user=14)
    for i in range(12):
        sender.send_json({'type': 'room', 'room': 'burst', 'text': f'n{i}', 'id': f'r{i}'})
    for m in members:
        texts = []
        while len(texts) < 12:
            event = m.recv_json()
            if event['type'] == 'room':
                texts.append(event['text'])
        assert texts == [f'n{i}' for i in range(12)], texts
    assert [sender.recv_json()['id'] for _ in range(12)] == [f'r{i}' for i in range(12)]
    for c in members + [sender]:
        c.close()


@case('http')
def page_metrics_health(port):
    page = urllib.request.urlopen(f'http://127.0.0.1:{port}/', timeout=10).read().decode()
    assert 'ErrorShield reference chat' in page
    assert urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=10).read() == b'ok\n'
    metrics = urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=10).read().decode()
    assert 'chat_rejections_total{reason="float_money"}' in metrics


def shutdown_sends_1001(binary):
    with ServerProcess(binary) as server:
        clients = [Client(server.port, user=u) for u in (1, 2)]
        server.proc.terminate()
        assert [c.expect_close() for c in clients] == [1001, 1001]
        assert server.proc.wait(timeout=10) == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--server', required=True)
    a = ap.parse_args()
    # Short timeouts so the idle and slow-handshake cases finish quickly; a small write queue.
    args = ['--idle-timeout=2', '--handshake-timeout=2', '--max-queued-messages=16',
            f'--allowed-origins={ORIGIN}']
    failed = 0
    import autobahn_cases  # noqa: F401 - registers its cases after this file's own.
    for group, fn in cases:
        with ServerProcess(a.server, *args) as server:
            try:
                fn(server.port)
                print(f'PASS {group}: {fn.__name__}')
            except Exception as e:  # noqa: BLE001 - report every case, then fail.
                failed += 1
                print(f'FAIL {group}: {fn.__name__}: {type(e).__name__}: {e}')
    try:
        shutdown_sends_1001(a.server)
        print('PASS shutdown: SIGTERM closes every client with 1001 and exits 0')
    except Exception as e:  # noqa: BLE001
        failed += 1
        print(f'FAIL shutdown: {type(e).__name__}: {e}')
    print(f'{len(cases) + 1 - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
