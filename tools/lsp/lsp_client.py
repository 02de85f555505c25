#!/usr/bin/env python3
"""A small LSP client for testing a clangd binary over a real language-server session.

  lsp_client.py --clangd BIN --root DIR FILE... [--fix CHECK:FILE:OUT] [--timings]

For each FILE: didOpen, then the first publishDiagnostics for it, printed one line per diagnostic
(1-based line:column ranges, source, code, message). With --fix, asks for the code actions of the
first diagnostic of CHECK in FILE, prints them, applies the first quick fix's edit, writes the
result to OUT, sends it as didChange and prints the diagnostics that follow. Then shutdown/exit.
The output is stable, for FileCheck. Standard library only.
"""
import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time


class Server:
    def __init__(self, argv, env):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.messages = queue.Queue()
        self.next_id = 1
        self.stderr_lines = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line.decode(errors='replace'))

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode().partition(':')
                if name.lower() == 'content-length':
                    length = int(value)
            self.messages.put(json.loads(out.read(length)))

    def send(self, payload):
        body = json.dumps(payload).encode()
        self.proc.stdin.write(b'Content-Length: %d\r\n\r\n' % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({'jsonrpc': '2.0', 'method': method, 'params': params})

    def request(self, method, params, timeout=120):
        rid = self.next_id
        self.next_id += 1
        self.send({'jsonrpc': '2.0', 'id': rid, 'method': method, 'params': params})
        return self.wait(lambda m: m.get('id') == rid and 'method' not in m, timeout).get('result')

    def wait(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                sys.exit('timed out waiting for the server; its stderr:\n' + ''.join(self.stderr_lines[-20:]))
            try:
                m = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if m is None:
                sys.exit('the server exited; its stderr:\n' + ''.join(self.stderr_lines[-20:]))
            if 'method' in m and 'id' in m:  # A request from the server (e.g. workDoneProgress/create).
                self.send({'jsonrpc': '2.0', 'id': m['id'], 'result': None})
                continue
            if predicate(m):
                return m

    def diagnostics(self, uri, version=None, timeout=300):
        def match(m):
            p = m.get('params', {})
            return (m.get('method') == 'textDocument/publishDiagnostics' and p.get('uri') == uri
                    and (version is None or p.get('version') == version))
        return self.wait(match, timeout)['params']['diagnostics']


def uri_of(path):
    return 'file://' + os.path.abspath(path)


def show(diags, label):
    print(f'{label}: {len(diags)} diagnostic(s)')
    for d in sorted(diags, key=lambda d: (d['range']['start']['line'], d['range']['start']['character'])):
        r = d['range']
        print('  {}:{}-{}:{} source={} code={} severity={} {}'.format(
            r['start']['line'] + 1, r['start']['character'] + 1, r['end']['line'] + 1,
            r['end']['character'] + 1, d.get('source'), d.get('code'), d.get('severity'),
            d['message'].splitlines()[0]))


def offset(text, pos):
    lines = text.split('\n')
    return sum(len(l) + 1 for l in lines[:pos['line']]) + pos['character']


def apply_edits(text, edits):
    # LSP positions count UTF-16 code units; the test files are ASCII.
    for e in sorted(edits, key=lambda e: offset(text, e['range']['start']), reverse=True):
        start, end = offset(text, e['range']['start']), offset(text, e['range']['end'])
        text = text[:start] + e['newText'] + text[end:]
    return text


def edits_for(action, uri):
    edit = action.get('edit', {})
    if 'changes' in edit:
        return edit['changes'].get(uri, [])
    return [e for dc in edit.get('documentChanges', []) if dc['textDocument']['uri'] == uri
            for e in dc['edits']]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--clangd', required=True)
    ap.add_argument('--root', required=True)
    ap.add_argument('--arg', action='append', default=[], help='extra clangd argument')
    ap.add_argument('--fix', help='CHECK:FILE:OUT')
    ap.add_argument('--tweaks', help='FILE:LINE:COLUMN: print the refactorings offered there')
    ap.add_argument('--timings', action='store_true', help='print milliseconds to diagnostics')
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    env = dict(os.environ)
    # Isolated from the user's clangd config; the test's .clangd decides.
    env['XDG_CONFIG_HOME'] = os.path.join(a.root, '.xdg')
    server = Server([a.clangd, '--background-index=false', '--log=error', '-j=1'] + a.arg, env)
    server.request('initialize', {
        'processId': os.getpid(), 'rootUri': uri_of(a.root),
        'capabilities': {'textDocument': {
            'publishDiagnostics': {'versionSupport': True, 'codeActionsInline': False},
            'codeAction': {'codeActionLiteralSupport': {'codeActionKind': {'valueSet': ['quickfix']}}}}}})
    server.notify('initialized', {})
    opened = {}
    for f in a.files:
        text = open(f).read()
        uri = uri_of(f)
        opened[f] = (uri, text)
        start = time.monotonic()
        server.notify('textDocument/didOpen', {'textDocument': {
            'uri': uri, 'languageId': 'cpp', 'version': 1, 'text': text}})
        diags = server.diagnostics(uri, 1)
        show(diags, os.path.basename(f))
        if a.timings:
            print(f'  timing didOpen->diagnostics {1000 * (time.monotonic() - start):.0f} ms')
        opened[f] = (uri, text, diags)
    if a.fix:
        check, f, out = a.fix.split(':')
        uri, text, diags = opened[f]
        target = next(d for d in diags if d.get('code') == check)
        actions = server.request('textDocument/codeAction', {
            'textDocument': {'uri': uri}, 'range': target['range'],
            'context': {'diagnostics': [target], 'only': ['quickfix']}}) or []
        print(f'code actions for {check}: {len(actions)}')
        for act in actions:
            print(f"  kind={act.get('kind')} title={act.get('title')}")
        fixed = apply_edits(text, edits_for(actions[0], uri))
        with open(out, 'w') as o:
            o.write(fixed)
        start = time.monotonic()
        server.notify('textDocument/didChange', {'textDocument': {'uri': uri, 'version': 2},
                                                 'contentChanges': [{'text': fixed}]})
        show(server.diagnostics(uri, 2), os.path.basename(f) + ' after the fix')
        if a.timings:
            print(f'  timing didChange->diagnostics {1000 * (time.monotonic() - start):.0f} ms')
    if a.tweaks:
        f, line, col = a.tweaks.rsplit(':', 2)
        pos = {'line': int(line) - 1, 'character': int(col) - 1}
        actions = server.request('textDocument/codeAction', {
            'textDocument': {'uri': opened[f][0]}, 'range': {'start': pos, 'end': pos},
            'context': {'diagnostics': []}}) or []
        print(f'refactorings at {os.path.basename(f)}:{line}:{col}: {len(actions)}')
        for act in sorted(actions, key=lambda x: x.get('title', '')):
            print(f"  kind={act.get('kind')} title={act.get('title')}")
    server.request('shutdown', None)
    server.notify('exit', None)
    server.proc.wait(timeout=30)


if __name__ == '__main__':
    main()
