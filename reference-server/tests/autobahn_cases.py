"""More protocol cases, one or a few per Autobahn|Testsuite case group (numbers in the names), on
top of those in protocol_conformance.py, which runs them all: each takes the server's port.
What is expected comes from RFC 6455 (sections 5.2-5.5 and 7.4), not from what Beast happens to do.
"""
import json
import struct
import urllib.request

from wsclient import CLOSE, CONT, PING, PONG, TEXT, Client, case


def message_to(user, length):
    """A direct-message request to `user` of exactly `length` bytes."""
    head = json.dumps({'type': 'msg', 'to': user, 'id': 'n', 'text': ''})
    return head.replace('"text": ""', '"text": "' + 'x' * (length - len(head)) + '"').encode()


@case('1 framing')
def payload_lengths_at_each_length_encoding(port):
    # 7-bit, 16-bit and 64-bit length fields, each at its boundary; 65536 is the server's limit.
    a, b = Client(port, user=1), Client(port, user=2)
    for length in (125, 126, 127, 65535, 65536):
        a.send_frame(TEXT, message_to(2, length))
        assert a.recv_json()['type'] == 'ack'
        assert len(b.recv_json()['text']) == length - len(message_to(2, 0)), length
    a.close(), b.close()


@case('2 ping/pong')
def ping_with_125_byte_payload_is_answered(port):
    a = Client(port, user=1)
    a.send_frame(PING, b'p' * 125)
    assert a.recv_frame()[1:] == (PONG, b'p' * 125)
    a.close()


@case('2 ping/pong')
def ping_with_126_byte_payload_fails_the_connection(port):
    a = Client(port, user=1)
    a.send_frame(PING, b'p' * 126)  # Control frames carry at most 125 bytes.
    assert a.expect_close() == 1002


@case('2 ping/pong')
def unsolicited_pong_is_ignored(port):
    a, b = Client(port, user=1), Client(port, user=2)
    a.send_frame(PONG, b'nobody asked')
    a.send_json({'type': 'msg', 'to': 2, 'text': 'still here', 'id': 'p'})
    assert a.recv_json()['type'] == 'ack' and b.recv_json()['text'] == 'still here'
    a.close(), b.close()


@case('3 reserved bits')
def reserved_bits_on_a_control_frame_fail_the_connection(port):
    for rsv in (0b001, 0b010):
        a = Client(port, user=1)
        a.send_frame(PING, b'x', rsv=rsv)
        assert a.expect_close() == 1002, rsv


@case('4 opcodes')
def reserved_control_opcode_fails_the_connection(port):
    a = Client(port, user=1)
    a.send_frame(0xB, b'')
    assert a.expect_close() == 1002


@case('5 fragmentation')
def fragmented_ping_fails_the_connection(port):
    a = Client(port, user=1)
    a.send_frame(PING, b'half', fin=False)  # Control frames must not be fragmented.
    assert a.expect_close() == 1002


@case('5 fragmentation')
def continuation_without_a_start_fails_the_connection(port):
    a = Client(port, user=1)
    a.send_frame(CONT, b'{}', fin=True)
    assert a.expect_close() == 1002


@case('5 fragmentation')
def new_message_inside_a_fragmented_one_fails_the_connection(port):
    a = Client(port, user=1)
    a.send_frame(TEXT, b'{"type":', fin=False)
    a.send_frame(TEXT, b'{}', fin=True)  # Must be a continuation.
    assert a.expect_close() == 1002


@case('5 fragmentation')
def one_byte_fragments_are_reassembled(port):
    a, b = Client(port, user=1), Client(port, user=2)
    body = json.dumps({'type': 'msg', 'to': 2, 'text': 'byte by byte', 'id': 'f'}).encode()
    a.send_frame(TEXT, body[:1], fin=False)
    for i in range(1, len(body) - 1):
        a.send_frame(CONT, body[i:i + 1], fin=False)
    a.send_frame(CONT, body[-1:], fin=True)
    assert b.recv_json()['text'] == 'byte by byte'
    a.close(), b.close()


@case('6 utf-8')
def valid_utf8_split_across_fragments_is_accepted(port):
    a, b = Client(port, user=1), Client(port, user=2)
    request = {'type': 'msg', 'to': 2, 'text': 'κόσμε', 'id': 'u'}
    body = json.dumps(request, ensure_ascii=False).encode()
    cut = body.index('κ'.encode()) + 1  # Inside a two-byte sequence.
    a.send_frame(TEXT, body[:cut], fin=False)
    a.send_frame(CONT, body[cut:], fin=True)
    assert b.recv_json()['text'] == 'κόσμε'
    a.close(), b.close()


@case('6 utf-8')
def invalid_utf8_is_refused_wherever_it_is(port):
    # An overlong encoding, a UTF-16 surrogate, a sequence cut short at the end of a fragmented
    # message, and a code point above U+10FFFF.
    for bad, fragmented in ((b'\xc0\xaf', False), (b'\xed\xa0\x80', False), (b'\xe2\x82', True),
                            (b'\xf4\x90\x80\x80', False)):
        a = Client(port, user=1)
        body = b'{"type":"msg","to":1,"id":"u","text":"' + bad
        if fragmented:
            a.send_frame(TEXT, body, fin=False)
            a.send_frame(CONT, b'', fin=True)
        else:
            a.send_frame(TEXT, body + b'"}')
        assert a.expect_close() == 1007, bad
    # Beast 1.81 refuses all but the cut-short one; the server itself refused that one.
    metrics = urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=10).read().decode()
    assert 'chat_rejections_total{reason="invalid_utf8"} 1\n' in metrics, metrics


@case('7 close handling')
def close_codes_and_payloads(port):
    # Valid codes are echoed; an empty close is answered with 1000 (RFC 6455 5.5.1 only says the
    # answer "typically" echoes the code; Autobahn accepts either); a one-byte payload, codes that
    # must never be sent (1005, 1006, 1015) and reserved ones (Autobahn 7.9) fail with 1002. Codes
    # of 5000 and up are outside RFC 6455's ranges; Autobahn only reports on them (7.13,
    # informational) and they are not tested here.
    code = lambda c: struct.pack('!H', c)
    for payload, expected in ((code(3000), 3000), (code(4999), 4999), (b'', 1000), (b'\x03', 1002),
                              (code(1005), 1002), (code(1006), 1002), (code(1015), 1002),
                              (code(0), 1002), (code(999), 1002), (code(1004), 1002),
                              (code(1016), 1002), (code(1100), 1002), (code(2000), 1002),
                              (code(2999), 1002)):
        a = Client(port, user=1)
        a.send_frame(CLOSE, payload)
        assert a.expect_close() == expected, (payload, expected)
    # A reason that is not UTF-8 fails the connection (7.5.1; RFC 6455 8.1 names no code: Beast
    # answers 1002, 1007 would do as well); it is never echoed as if it were a normal close.
    for reason in (b'\xce\xba\xe1', b'\xff', b'\xc0\xaf'):
        a = Client(port, user=1)
        a.send_frame(CLOSE, code(1000) + reason)
        assert a.expect_close() in (1002, 1007), reason


@case('7 close handling')
def data_after_close_is_not_processed(port):
    a, b = Client(port, user=1), Client(port, user=2)
    a.send_frame(CLOSE, struct.pack('!H', 1000))
    a.send_json({'type': 'msg', 'to': 2, 'text': 'too late', 'id': 'z'})
    assert a.expect_close() == 1000
    b.send_json({'type': 'msg', 'to': 2, 'text': 'to myself', 'id': 'y'})
    events = [b.recv_json(), b.recv_json()]  # Its own message and its ack, in either order.
    assert sorted(e['type'] for e in events) == ['ack', 'msg'], events
    assert all(e.get('text') != 'too late' for e in events), events
    b.close()


@case('12 compression')
def permessage_deflate_offer_is_declined(port):
    a = Client(port, user=1, headers={'Sec-WebSocket-Extensions': 'permessage-deflate'})
    assert 'sec-websocket-extensions' not in a.response_fields, a.response_fields
    a.close()
