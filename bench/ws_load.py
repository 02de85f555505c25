#!/usr/bin/env python3
"""The reference server under load, side by side with a Node.js `ws` server doing the same routing.

Both servers run on loopback, one at a time, driven by tools/ws-load (Beast, bounded in count and
time). Only the phase after every connection is open is measured, and the server's CPU time over
that phase (user and system, from /proc) is what "per core" divides by: the C++ server runs
--threads threads, Node one.

  saturation  closed loop (one message in flight per connection, or ten: "x10", written one by
              one or with one write: "piped"; a broadcast burst): the most each server delivers per CPU-second. Latency here is queueing
              (Little's law), not speed.
  fixed load  open loop at a stated rate: p50/p99 latency from each message's scheduled send time.
  idle        resident memory holding N idle connections.

The client shares the machine's cores with the server; ratios are measured in this run.

Direct scenarios also run tools/ws-floor, a responder that does no chat work (one receive and one
send per readable socket, no JSON, no handlers): the least CPU any server spends per message
under that load. "ceiling" is floor/Node per CPU-second, the best ratio against Node that any
server could reach in that scenario.

  bench/ws_load.py [--build build] [--threads 2] [--quick] [--json results.json]
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = ('es-chat-server', 'node ws')
FLOOR = 'ws floor'


def rss_mib(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return 0.0


def start(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line.startswith('listening on'):
        raise RuntimeError(f'{argv[0]} did not start: {line}')
    return proc, int(line.rsplit(':', 1)[1])


def run_load(load, proc, port, s):
    argv = [load, f'--port={port}', f'--server-pid={proc.pid}', f'--mode={s["mode"]}',
            f'--connections={s["conns"]}', f'--messages={s["msgs"]}', f'--size={s["size"]}',
            f'--rate={s["rate"]}', f'--window={s["window"]}', f'--pipeline={int(s["pipeline"])}',
            '--seconds=120']
    out = subprocess.run(argv, capture_output=True, text=True, timeout=150)
    lines = [l for l in out.stdout.splitlines() if l.startswith('{')]
    if not lines:
        raise RuntimeError('ws-load printed nothing: ' + out.stderr)
    r = json.loads(lines[-1])
    cpu = r.get('server_user_s', 0) + r.get('server_system_s', 0)
    r['per_cpu'] = r['delivered'] / cpu if cpu > 0 else 0
    r['complete'] = out.returncode == 0
    return r


def idle_rss(load, proc, port, connections):
    holder = subprocess.Popen([load, f'--port={port}', '--mode=idle', f'--connections={connections}',
                               '--seconds=60'], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    line = ''
    while time.monotonic() < deadline and not line.startswith('ready'):
        line = holder.stdout.readline()
    time.sleep(1)
    rss = rss_mib(proc.pid)
    holder.terminate()
    holder.wait(timeout=30)
    return rss if line.startswith('ready') else None


def scenarios(quick):
    q = 10 if quick else 1
    s = lambda group, mode, conns, msgs, size, rate=0, window=1, pipeline=False: dict(
        group=group, mode=mode, conns=conns, msgs=msgs, size=size, rate=rate, window=window,
        pipeline=pipeline)
    return [s('saturation', 'direct', 100, 2000 // q, 32), s('saturation', 'direct', 100, 2000 // q, 1024),
            # Ten messages in flight per connection: clients that send in bursts.
            s('saturation', 'direct', 100, 2000 // q, 32, window=10),
            s('saturation', 'direct', 100, 2000 // q, 1024, window=10),
            # The same ten sent with one TCP write: clients that pipeline their requests.
            s('saturation', 'direct', 100, 2000 // q, 32, window=10, pipeline=True),
            s('saturation', 'direct', 100, 2000 // q, 1024, window=10, pipeline=True),
            s('saturation', 'direct', 1000, 200 // q, 32, window=10, pipeline=True),
            s('saturation', 'direct', 1000, 200 // q, 32), s('saturation', 'direct', 1000, 200 // q, 1024),
            s('saturation', 'broadcast', 1000, 200 // q, 32),
            # 5 s at each rate (1 s with --quick): every connection sends rate/conns per second.
            s('fixed load', 'direct', 1000, 50 // q, 32, 10000), s('fixed load', 'direct', 1000, 100 // q, 32, 20000),
            s('fixed load', 'direct', 1000, 100 // q, 1024, 20000),
            s('fixed load', 'broadcast', 1000, 100 // q, 32, 20)]


def label(s):
    rate = f' at {s["rate"]:g}/s' if s['rate'] else ''
    window = f' x{s["window"]}' if s['window'] > 1 else ''
    window += ' piped' if s['pipeline'] else ''
    return f'{s["mode"]} {s["conns"]} conns {s["size"]} B{window}{rate}'


def report(results, plan, idle_n, threads):
    print(f'loopback, es-chat-server --threads={threads} vs node ws (one thread); '
          f'{os.cpu_count()} cores shared with the load client')
    for group in ('saturation', 'fixed load'):
        print(f'\n{group}:')
        print(f'{"scenario":38} {"server":15} {"msgs/s":>9} {"per CPU-s":>10} {"user s":>7} '
              f'{"sys s":>6} {"p50 ms":>8} {"p99 ms":>8}')
        for i, s in enumerate(p for p in plan if p['group'] == group):
            rows = {name: results[(name, label(s))] for name in SERVERS + (FLOOR,)
                    if (name, label(s)) in results}
            for name, r in rows.items():
                mark = '' if r['complete'] else '  (incomplete)'
                print(f'{label(s):38} {name:15} {r["msgs_per_sec"]:9.0f} {r["per_cpu"]:10.0f} '
                      f'{r.get("server_user_s", 0):7.2f} {r.get("server_system_s", 0):6.2f} '
                      f'{r["p50_ms"]:8.2f} {r["p99_ms"]:8.2f}{mark}')
            ours, node = rows['es-chat-server'], rows['node ws']
            ratio = ours['per_cpu'] / node['per_cpu'] if node['per_cpu'] else 0
            floor = rows.get(FLOOR)
            ceiling = (f'; ceiling {floor["per_cpu"] / node["per_cpu"]:.2f}x'
                       if floor and node['per_cpu'] else '')
            print(f'{"":38} ratio per CPU-second {ratio:.2f}x{ceiling}; p99 {ours["p99_ms"]:.2f} vs '
                  f'{node["p99_ms"]:.2f} ms')
    print()
    for name in SERVERS:
        rss = results[(name, 'idle')]
        print(f'{idle_n} idle connections, {name}: ' + (f'{rss:.0f} MiB RSS' if rss else 'not all connected'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--quick', action='store_true', help='smaller counts, for a smoke run')
    ap.add_argument('--threads', type=int, default=2, help="the C++ server's thread pool")
    ap.add_argument('--json', help='also write every measurement to this file')
    a = ap.parse_args()
    load = os.path.join(a.build, 'bin', 'ws-load')
    node_dir = os.path.join(ROOT, 'bench', 'node-chat')
    if not os.path.isdir(os.path.join(node_dir, 'node_modules', 'ws')):
        subprocess.run(['npm', 'ci', '--prefix', node_dir, '--no-audit', '--no-fund'], check=True)
    argv = {'es-chat-server': [os.path.join(a.build, 'bin', 'es-chat-server'), '--port=0',
                               f'--threads={a.threads}', '--max-queued-messages=4096'],
            'node ws': ['node', os.path.join(node_dir, 'server.js'), '0'],
            FLOOR: [os.path.join(a.build, 'bin', 'ws-floor'), '--port=0']}
    plan = scenarios(a.quick)
    idle_n = 1000 if a.quick else 10000
    results = {}
    for name in SERVERS + (FLOOR,):
        proc, port = start(argv[name])
        try:
            for s in plan:
                if name == FLOOR and s['mode'] != 'direct':
                    continue  # the floor answers direct messages only
                results[(name, label(s))] = run_load(load, proc, port, s)
                time.sleep(1)  # The departures' presence events are not the next one's load.
            if name != FLOOR:
                results[(name, 'idle')] = idle_rss(load, proc, port, idle_n)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    report(results, plan, idle_n, a.threads)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({f'{k[0]}: {k[1]}': v for k, v in results.items()}, f, indent=1)


if __name__ == '__main__':
    sys.exit(main())
