#!/usr/bin/env python3
"""Scale-out: server nodes and a real redis-server. Users on different nodes reach each other, a
user's presence is shared (a message to a user connected to no node is refused everywhere), a user
connected to two nodes receives on both, a node started later learns who is already online, and
a node that stops takes its users with it.

  two_nodes.py --server build/bin/es-chat-server
"""
import argparse
import os
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


def wait_for(path, text, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path) and text in open(path).read():
            return
        time.sleep(0.05)
    raise AssertionError(f'{text!r} never appeared in {path}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--server', required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix='es-two-nodes-')
    port = free_port()
    redis = subprocess.Popen(['redis-server', '--port', str(port), '--bind', '127.0.0.1',
                              '--save', '', '--appendonly', 'no', '--dir', work],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # Until redis accepts connections.
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        logs = [os.path.join(work, f'node{i}.log') for i in (1, 2)]
        with ServerProcess(a.server, f'--redis=127.0.0.1:{port}', log=logs[0]) as n1, \
             ServerProcess(a.server, f'--redis=127.0.0.1:{port}', log=logs[1]) as n2:
            for log in logs:
                wait_for(log, 'redis-subscribed')
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
            n3 = ServerProcess(a.server, f'--redis=127.0.0.1:{port}', log=logs[2])
            wait_for(logs[2], 'redis-subscribed')
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
            alice.close()
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    print('PASS')


if __name__ == '__main__':
    main()
