#!/usr/bin/env python3
"""Editor latency: errorshield-clangd with every ErrorShield check against stock clangd-22 with
clang-tidy off, on Beast-heavy files.

For each file and configuration, `--repeat` fresh servers each get didOpen (time to the first
publishDiagnostics: preamble + main file + checks) and then a didChange that edits a line (time to
the next publishDiagnostics: main file + checks, the preamble is reused). Medians; ratios are against
stock clangd measured in the same run.

  bench/clangd_latency.py [--build build] [--repeat 3] [FILE ...]
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools', 'lsp'))
import lsp_client  # noqa: E402

DEFAULT_FILES = ['test/integration/ws-chat-session-beast.cpp', 'examples/ws_concurrent_write_bad.cpp',
                 'examples/ws_handshake_origin_good.cpp']


def session(argv, root, path):
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(root, '.xdg'))
    server = lsp_client.Server(argv + ['--background-index=false', '--log=error', '-j=1'], env)
    server.request('initialize', {'processId': os.getpid(), 'rootUri': lsp_client.uri_of(root),
                                  'capabilities': {'textDocument': {'publishDiagnostics': {'versionSupport': True}}}})
    server.notify('initialized', {})
    uri, text = lsp_client.uri_of(path), open(path).read()
    start = time.monotonic()
    server.notify('textDocument/didOpen', {'textDocument': {'uri': uri, 'languageId': 'cpp', 'version': 1, 'text': text}})
    diags = server.diagnostics(uri, 1)
    opened = time.monotonic() - start
    start = time.monotonic()
    # An edit a user makes: a new statement-free line in the middle of the file.
    lines = text.split('\n')
    lines.insert(len(lines) // 2, '// edited')
    server.notify('textDocument/didChange', {'textDocument': {'uri': uri, 'version': 2},
                                             'contentChanges': [{'text': '\n'.join(lines)}]})
    server.diagnostics(uri, 2)
    changed = time.monotonic() - start
    server.request('shutdown', None)
    server.notify('exit', None)
    server.proc.wait(timeout=30)
    return opened, changed, sum(1 for d in diags if str(d.get('code', '')).startswith('errorshield-'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('files', nargs='*', default=DEFAULT_FILES)
    a = ap.parse_args()
    ours = os.path.join(a.build, 'bin', 'errorshield-clangd')
    configs = [('clangd-22, clang-tidy off (baseline)', ['clangd-22', '--clang-tidy=false']),
               ('errorshield-clangd, clang-tidy off', [ours, '--clang-tidy=false']),
               ('errorshield-clangd, errorshield-* on', [ours, '--clang-tidy'])]
    root = tempfile.mkdtemp(prefix='es-clangd-bench-')
    try:
        with open(os.path.join(root, 'compile_flags.txt'), 'w') as f:
            f.write('-std=c++20\n')
        with open(os.path.join(root, '.clang-tidy'), 'w') as f:
            f.write("Checks: '-*,errorshield-*'\n")
        with open(os.path.join(root, '.clangd'), 'w') as f:
            f.write('Diagnostics:\n  ClangTidy:\n    FastCheckFilter: Loose\n')
        copies = []
        for rel in a.files:
            dst = os.path.join(root, os.path.basename(rel))
            shutil.copy(os.path.join(ROOT, rel), dst)
            copies.append(dst)
        print(f'{len(copies)} file(s), median of {a.repeat} fresh server(s) each')
        rows = []
        for name, argv in configs:
            opens, changes, found = [], [], 0
            for path in copies:
                runs = [session(argv, root, path) for _ in range(a.repeat)]
                opens.append(statistics.median(r[0] for r in runs))
                changes.append(statistics.median(r[1] for r in runs))
                found += runs[-1][2]
            rows.append((name, sum(opens), sum(changes), found))
        base_open, base_change = rows[0][1], rows[0][2]
        print(f'{"configuration":40} {"didOpen s":>9} {"ratio":>7} {"didChange s":>11} {"ratio":>7} {"ES diags":>8}')
        for name, o, c, found in rows:
            print(f'{name:40} {o:9.2f} {o / base_open:6.3f}x {c:11.2f} {c / base_change:6.3f}x {found:8}')
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main()
