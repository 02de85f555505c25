"""Runs a command and succeeds only if it exits with the given code (lit's `not` accepts any
nonzero code).

usage: exit_code.py CODE -- COMMAND [ARG...]

The command's stdout and stderr pass through unchanged.
"""
import subprocess
import sys

if len(sys.argv) < 4 or sys.argv[2] != '--':
    sys.exit('usage: exit_code.py CODE -- COMMAND [ARG...]')
expected = int(sys.argv[1])
actual = subprocess.call(sys.argv[3:])
if actual != expected:
    sys.stderr.write(f'exit_code.py: {sys.argv[3]} exited with {actual}, expected {expected}\n')
    sys.exit(1)
