"""A raw WebSocket client (RFC 6455) for testing the reference server: standard library only.

It speaks the protocol frame by frame, so tests can also send what a well-behaved client never
would (reserved bits, unknown opcodes, bad UTF-8, oversized or fragmented messages).
"""
import base64
import hashlib
import json
import os
import socket
import struct
import subprocess
import time

GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
TEXT, BINARY, CLOSE, PING, PONG, CONT = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class HandshakeRefused(Exception):
    def __init__(self, status, body):
        super().__init__(f'handshake refused: {status} {body!r}')
        self.status, self.body = status, body


class Closed(Exception):
    def __init__(self, code, reason):
        super().__init__(f'closed by the server: {code} {reason!r}')
        self.code, self.reason = code, reason


class Client:
    def __init__(self, port, user=None, path=None, origin=None, protocols=('chat.v1',),
                 headers=None, host='127.0.0.1', timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b''
        key = base64.b64encode(os.urandom(16)).decode()
        path = path or (f'/ws?user={user}' if user is not None else '/ws')
        lines = [f'GET {path} HTTP/1.1', f'Host: {host}:{port}', 'Upgrade: websocket',
                 'Connection: Upgrade', f'Sec-WebSocket-Key: {key}', 'Sec-WebSocket-Version: 13']
        if origin:
            lines.append(f'Origin: {origin}')
        if protocols:
            lines.append('Sec-WebSocket-Protocol: ' + ', '.join(protocols))
        lines += [f'{k}: {v}' for k, v in (headers or {}).items()]
        self.sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode())
        head = self._read_until(b'\r\n\r\n').decode(errors='replace')
        status = int(head.split(' ', 2)[1])
        fields = {l.split(':', 1)[0].strip().lower(): l.split(':', 1)[1].strip()
                  for l in head.split('\r\n')[1:] if ':' in l}
        if status != 101:
            length = int(fields.get('content-length', '0'))
            body = self._read_exact(length).decode(errors='replace') if length else ''
            self.sock.close()
            raise HandshakeRefused(status, body)
        accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        assert fields.get('sec-websocket-accept') == accept, 'bad Sec-WebSocket-Accept'
        self.protocol = fields.get('sec-websocket-protocol', '')
        self.response_fields = fields

    # ---- bytes ----
    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError('connection closed without a close frame')
        self.buffer += chunk

    def _read_until(self, marker):
        while marker not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _read_exact(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    # ---- frames ----
    def send_frame(self, opcode, payload=b'', fin=True, rsv=0, mask=True):
        if isinstance(payload, str):
            payload = payload.encode()
        head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
        n = len(payload)
        bit = 0x80 if mask else 0
        if n < 126:
            head += bytes([bit | n])
        elif n < 65536:
            head += bytes([bit | 126]) + struct.pack('!H', n)
        else:
            head += bytes([bit | 127]) + struct.pack('!Q', n)
        if mask:
            key = os.urandom(4)
            head += key
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + payload)

    def recv_frame(self):
        b0, b1 = self._read_exact(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack('!H', self._read_exact(2))[0]
        elif n == 127:
            n = struct.unpack('!Q', self._read_exact(8))[0]
        return bool(b0 & 0x80), b0 & 0x0F, self._read_exact(n)

    def recv_message(self):
        """The next data message as (opcode, bytes); answers pings; raises Closed on a close."""
        data, first = b'', None
        while True:
            fin, opcode, payload = self.recv_frame()
            if opcode == PING:
                self.send_frame(PONG, payload)
                continue
            if opcode == PONG:
                continue
            if opcode == CLOSE:
                code = struct.unpack('!H', payload[:2])[0] if len(payload) >= 2 else None
                try:
                    self.send_frame(CLOSE, payload[:2])
                except OSError:
                    pass
                raise Closed(code, payload[2:].decode(errors='replace'))
            first = opcode if first is None else first
            data += payload
            if fin:
                return first, data

    # ---- the chat protocol ----
    def send_json(self, obj):
        self.send_frame(TEXT, json.dumps(obj))

    def recv_json(self, skip_presence=True):
        while True:
            _, data = self.recv_message()
            event = json.loads(data)
            if not (skip_presence and event.get('type') == 'presence'):
                return event

    def expect_close(self):
        """Reads until the server's close frame; returns its code."""
        try:
            while True:
                self.recv_message()
        except Closed as c:
            return c.code

    def close(self, code=1000):
        try:
            self.send_frame(CLOSE, struct.pack('!H', code))
            self.expect_close()
        except (OSError, ConnectionError):
            pass
        self.sock.close()


# ---- test cases: registered by @case(group), run in order by protocol_conformance.py ----
cases = []


def case(group):
    def register(fn):
        cases.append((group, fn))
        return fn
    return register


class ServerProcess:
    """es-chat-server on a free port, stopped with SIGTERM at the end."""

    def __init__(self, binary, *args, log=None):
        # The structured log (and any sanitizer report) goes to a file, ES_CHAT_SERVER_LOG when set:
        # a pipe nobody reads would fill up and block the server.
        self.log = open(log or os.environ.get('ES_CHAT_SERVER_LOG') or os.devnull, 'a')
        self.proc = subprocess.Popen([binary, '--port=0', *args], stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith('listening on '):
            raise RuntimeError('server did not start: ' + line)
        self.port = int(line.rsplit(':', 1)[1])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        finally:
            self.log.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        code = self.stop() if self.proc.poll() is None else self.proc.returncode
        # A server that dies (a sanitizer report, a crash) fails the test even if the clients did not
        # notice.
        if exc_type is None and code != 0:
            raise RuntimeError(f'the server exited with status {code}')
