#!/usr/bin/env python3
"""The seed incident as a regression test, then the same at scale.

1. Users 1001-1004 connect and exchange messages; 1004 disconnects; 1001 still receives from 1003;
   then 1002 disconnects; every remaining pair still delivers. (In the incident a deferred cleanup
   captured the connection variable by reference: 1004's disconnect erased another user's
   connection, and the server logged "delivered" while 1001 received nothing.)
2. At scale: --churn clients connect and disconnect in a loop while --stable clients exchange
   messages; every message between stable clients must arrive, exactly once, at the right user.

  seed_scenario.py --server build/reference-server/es-chat-server [--churn 1000] [--stable 20]
"""
import argparse
import itertools
import random
import sys
import threading
import time

sys.path.insert(0, __import__('os').path.dirname(__file__))
from wsclient import Client, ServerProcess  # noqa: E402

ids = itertools.count(1)


def send_and_check(sender_id, sender, receiver_id, receiver):
    mid = f'm{next(ids)}'
    text = f'{sender_id}->{receiver_id} {mid}'
    sender.send_json({'type': 'msg', 'to': receiver_id, 'text': text, 'id': mid})
    ack = sender.recv_json()
    assert ack == {'type': 'ack', 'id': mid, 'delivered': 1}, ack
    got = receiver.recv_json()
    assert got == {'type': 'msg', 'from': sender_id, 'text': text, 'id': mid}, got


def seed(port):
    users = {u: Client(port, user=u) for u in (1001, 1002, 1003, 1004)}

    def all_pairs(alive):
        for a in alive:
            for b in alive:
                if a != b:
                    send_and_check(a, users[a], b, users[b])

    all_pairs([1001, 1002, 1003, 1004])
    users.pop(1004).close()
    send_and_check(1003, users[1003], 1001, users[1001])
    all_pairs([1001, 1002, 1003])
    users.pop(1002).close()
    all_pairs([1001, 1003])
    # 1004 is gone: messages to it are refused, not "delivered".
    users[1001].send_json({'type': 'msg', 'to': 1004, 'text': 'anyone?', 'id': 'gone'})
    err = users[1001].recv_json()
    assert err['type'] == 'error' and err['code'] == 'unknown-recipient', err
    for c in users.values():
        c.close()
    print('seed scenario: every remaining pair delivered after 1004 and 1002 disconnected')


def churn(port, n, stop, counter):
    user = 50000 + n
    while not stop.is_set():
        try:
            client = Client(port, user=user, timeout=30)
            # Connected for a moment, like a real reconnecting client: about half of the churning
            # clients are connected at any time.
            stop.wait(random.uniform(0.2, 1.0))
            client.close()
            counter[0] += 1
            stop.wait(random.uniform(0.2, 1.0))
        except OSError:
            time.sleep(0.05)


def scale(port, churners, stable, rounds, seconds):
    clients = {2000 + i: Client(port, user=2000 + i, timeout=60) for i in range(stable)}
    stop, counter = threading.Event(), [0]
    threads = [threading.Thread(target=churn, args=(port, i, stop, counter), daemon=True)
               for i in range(churners)]
    for t in threads:
        t.start()
    sent, deadline = 0, time.monotonic() + seconds
    try:
        for r in itertools.count():
            if r >= rounds and time.monotonic() >= deadline:
                break
            for i, (uid, c) in enumerate(clients.items()):
                peer = 2000 + (i + 1 + r) % stable
                if peer == uid:
                    continue
                send_and_check(uid, c, peer, clients[peer])
                sent += 1
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    for c in clients.values():
        c.close()
    print(f'scale: {sent} messages between {stable} stable clients, none lost or misrouted, '
          f'while {counter[0]} connections churned ({churners} churning clients)')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--server', required=True)
    ap.add_argument('--churn', type=int, default=1000)
    ap.add_argument('--stable', type=int, default=20)
    ap.add_argument('--rounds', type=int, default=5, help='at least this many rounds of messages')
    ap.add_argument('--seconds', type=float, default=10, help='and for at least this long')
    a = ap.parse_args()
    with ServerProcess(a.server, '--threads=2', '--idle-timeout=600') as server:
        seed(server.port)
        scale(server.port, a.churn, a.stable, a.rounds, a.seconds)
        assert server.stop() == 0, 'the server did not exit cleanly on SIGTERM'
    print('PASS')


if __name__ == '__main__':
    main()
