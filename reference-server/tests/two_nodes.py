#!/usr/bin/env python3
"""Scale-out: server nodes and a real redis-server. Users on different nodes reach each other, a
user's presence is shared (a message to a user connected to no node is refused everywhere), a user
connected to two nodes receives on both, a node started later learns who is already online, a
node that stops takes its users with it, one that dies without a word is given up after three
silent heartbeats, one that was only paused announces its users again when it is back, the nodes
reconnect when Redis restarts, and a node stops cleanly while Redis hangs.

  two_nodes.py --server build/bin/es-chat-server
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from wsclient import Client, ServerProcess  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def logged(path, event, **fields):
    """How many structured log lines of `path` are `event` with these fields."""
    if not os.path.exists(path):
        return 0
    count = 0
    for line in open(path):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get('event') == event and all(entry.get(k) == v for k, v in fields.items()):
            count += 1
    return count


def wait_logged(path, event, count=1, seconds=10, **fields):
    deadline = time.monotonic() + seconds
    while logged(path, event, **fields) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f'{event} {fields} never logged {count} time(s) in {path}')
        time.sleep(0.05)


def node_id(path):
    for line in open(path):
        entry = json.loads(line)
        if entry.get('event') == 'redis-subscribed':
            return entry['node']
    raise AssertionError(f'no redis-subscribed line in {path}')


def send_until_acked(client, to, text, ident, seconds=10):
    """Sends until the server acks (presence may still be crossing the bus); returns the ack."""
    deadline = time.monotonic() + seconds
    while True:
        client.send_json({'type': 'msg', 'to': to, 'text': text, 'id': ident})
        reply = client.recv_json()
        if reply['type'] == 'ack' or time.monotonic() > deadline:
            return reply
        time.sleep(0.1)


def start_redis(port, work):
    redis = subprocess.Popen(['redis-server', '--port', str(port), '--bind', '127.0.0.1',
                              '--save', '', '--appendonly', 'no', '--dir', work],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):  # Until redis accepts connections.
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return redis


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--server', required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix='es-two-nodes-')
    port = free_port()
    redis = start_redis(port, work)
    try:
        logs = [os.path.join(work, f'node{i}.log') for i in (1, 2)]
        # A short heartbeat, so that a silent node is given up within a second.
        node_args = (f'--redis=127.0.0.1:{port}', '--redis-heartbeat-ms=250')
        with ServerProcess(a.server, *node_args, log=logs[0]) as n1, \
             ServerProcess(a.server, *node_args, log=logs[1]) as n2:
            for log in logs:
                wait_logged(log, 'redis-subscribed')
            alice, bob = Client(n1.port, user=1001), Client(n2.port, user=1002)
            time.sleep(0.3)  # Presence crosses the bus.
            alice.send_json({'type': 'msg', 'to': 1002, 'text': 'across nodes', 'id': 'a1'})
            assert alice.recv_json() == {'type': 'ack', 'id': 'a1', 'delivered': 1}
            assert bob.recv_json() == {'type': 'msg', 'from': 1001, 'text': 'across nodes', 'id': 'a1'}
            bob.send_json({'type': 'msg', 'to': 1001, 'text': 'and back', 'id': 'b1'})
            assert bob.recv_json()['type'] == 'ack'
            assert alice.recv_json()['text'] == 'and back'
            print('ok: 1001 on node 1 and 1002 on node 2 exchange messages through Redis')

            bob2 = Client(n1.port, user=1002)  # 1002 now on both nodes.
            time.sleep(0.3)
            alice.send_json({'type': 'msg', 'to': 1002, 'text': 'both', 'id': 'a2'})
            assert alice.recv_json() == {'type': 'ack', 'id': 'a2', 'delivered': 2}
            assert bob.recv_json()['text'] == 'both' and bob2.recv_json()['text'] == 'both'
            print('ok: a user connected to both nodes receives on both')

            bob.close(), bob2.close()
            time.sleep(0.3)
            alice.send_json({'type': 'msg', 'to': 1002, 'text': 'gone?', 'id': 'a3'})
            err = alice.recv_json()
            assert err['type'] == 'error' and err['code'] == 'unknown-recipient', err
            print('ok: once 1002 left both nodes, messages to it are refused, not "delivered"')

            # A node that starts after users are online elsewhere learns of them at once.
            logs.append(os.path.join(work, 'node3.log'))
            n3 = ServerProcess(a.server, *node_args, log=logs[2])
            wait_logged(logs[2], 'redis-subscribed')
            carol = Client(n3.port, user=1003)
            time.sleep(0.3)
            carol.send_json({'type': 'msg', 'to': 1001, 'text': 'from the late node', 'id': 'c1'})
            assert carol.recv_json() == {'type': 'ack', 'id': 'c1', 'delivered': 1}
            assert alice.recv_json()['text'] == 'from the late node'
            print('ok: a node started later reaches users who were online before it started')

            # A node that stops takes its users with it, even those whose connection does not
            # close in time (carol never answers the close frame): the others drop them on its
            # "bye".
            assert n3.stop() == 0
            time.sleep(0.3)
            alice.send_json({'type': 'msg', 'to': 1003, 'text': 'still there?', 'id': 'a4'})
            err = alice.recv_json()
            assert err['type'] == 'error' and err['code'] == 'unknown-recipient', err
            print('ok: once a node stops, its users are no longer reachable through the others')

            # A node that falls silent (paused: SIGSTOP) is given up after three heartbeats, and
            # its users with it; heard from again (SIGCONT), it announces them anew.
            logs.append(os.path.join(work, 'node4.log'))
            n4 = ServerProcess(a.server, *node_args, log=logs[3])
            wait_logged(logs[3], 'redis-subscribed')
            n4_id = node_id(logs[3])
            dave = Client(n4.port, user=1004)
            assert send_until_acked(alice, 1004, 'hi dave', 'a5')['delivered'] == 1
            assert dave.recv_json()['text'] == 'hi dave'
            n4.proc.send_signal(signal.SIGSTOP)
            wait_logged(logs[0], 'redis-node-lost', node=n4_id)
            alice.send_json({'type': 'msg', 'to': 1004, 'text': 'lost?', 'id': 'a6'})
            err = alice.recv_json()
            assert err['type'] == 'error' and err['code'] == 'unknown-recipient', err
            print('ok: a node silent for three heartbeats is given up, and its users with it')
            n4.proc.send_signal(signal.SIGCONT)
            wait_logged(logs[0], 'redis-node-back', node=n4_id)
            ack = send_until_acked(alice, 1004, 'welcome back', 'a7')
            assert ack == {'type': 'ack', 'id': 'a7', 'delivered': 1}, ack
            assert dave.recv_json()['text'] == 'welcome back'
            print('ok: a node heard from again announces its users, who are reachable again')

            # A node that dies (SIGKILL: no "bye") is given up the same way.
            n4.proc.kill()
            n4.proc.wait()
            n4.log.close()
            wait_logged(logs[0], 'redis-node-lost', count=2, node=n4_id)
            alice.send_json({'type': 'msg', 'to': 1004, 'text': 'dead?', 'id': 'a8'})
            err = alice.recv_json()
            assert err['type'] == 'error' and err['code'] == 'unknown-recipient', err
            print('ok: a node killed without a word is given up, its users refused')

            # Redis restarts: both nodes reconnect, start over from a hello, and route again.
            bob = Client(n2.port, user=1002)
            assert send_until_acked(alice, 1002, 'before', 'a9')['delivered'] == 1
            assert bob.recv_json()['text'] == 'before'
            redis.terminate()
            redis.wait(timeout=10)
            redis = start_redis(port, work)
            for log in logs[:2]:
                wait_logged(log, 'redis-subscribed', count=2, seconds=20)
            ack = send_until_acked(alice, 1002, 'after', 'a10')
            assert ack == {'type': 'ack', 'id': 'a10', 'delivered': 1}, ack
            assert bob.recv_json()['text'] == 'after'
            print('ok: after Redis restarts, the nodes reconnect and route again')
            alice.close(), bob.close()

            # Redis hangs (SIGSTOP): every call on it is bounded, so a node still stops cleanly
            # (stop() fails if it takes more than 10 s).
            redis.send_signal(signal.SIGSTOP)
            try:
                started = time.monotonic()
                assert n2.stop() == 0
                print(f'ok: with Redis hung, a node stops in {time.monotonic() - started:.1f} s')
            finally:
                redis.send_signal(signal.SIGCONT)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    print('PASS')


if __name__ == '__main__':
    main()
