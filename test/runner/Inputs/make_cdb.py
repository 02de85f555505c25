"""Writes a compile_commands.json for a test project.

usage: make_cdb.py OUT_DIR ROOT [FILE...]

Every FILE (relative to ROOT; default: every *.cpp under ROOT, sorted) is compiled as
`clang++-22 -std=c++20 -I ROOT/include -c FILE` from ROOT. Paths are absolute, so the database can
sit anywhere (the tests keep it in %t, next to or away from the sources).
"""
import json
import os
import sys

out_dir, root = sys.argv[1], os.path.abspath(sys.argv[2])
files = sys.argv[3:] or sorted(
    os.path.relpath(os.path.join(d, f), root)
    for d, _, names in os.walk(root) for f in names if f.endswith('.cpp'))
commands = []
for rel in files:
    path = os.path.join(root, rel)
    commands.append({
        'directory': root,
        'file': path,
        'arguments': ['clang++-22', '-std=c++20', '-I', os.path.join(root, 'include'), '-c', path],
    })
os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, 'compile_commands.json'), 'w') as f:
    json.dump(commands, f, indent=2)
