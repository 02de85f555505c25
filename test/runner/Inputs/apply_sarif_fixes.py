"""Applies the fixes of a SARIF log's results to the files they name, the way a code-scanning UI
would, using each replacement's byteOffset/byteLength. Relative URIs are resolved against the
run's SRCROOT, or against --root when given (to fix a copy of the files).

usage: apply_sarif_fixes.py [--root DIR] FILE.sarif
Prints "<uri>: <n> replacement(s)" per changed file.
"""
import argparse
import collections
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument('--root')
parser.add_argument('sarif')
args = parser.parse_args()
with open(args.sarif) as f:
    run = json.load(f)['runs'][0]
root = args.root or run['originalUriBaseIds']['SRCROOT']['uri'].removeprefix('file://')
edits = collections.defaultdict(list)
for result in run['results']:
    for fix in result.get('fixes', []):
        for change in fix['artifactChanges']:
            uri = change['artifactLocation']['uri']
            for rep in change['replacements']:
                region = rep['deletedRegion']
                edits[uri].append((region['byteOffset'], region['byteLength'],
                                   rep['insertedContent']['text']))
for uri in sorted(edits):
    path = uri.removeprefix('file://') if uri.startswith('file://') else os.path.join(root, uri)
    with open(path, 'rb') as f:
        data = f.read()
    for offset, length, text in sorted(edits[uri], reverse=True):
        data = data[:offset] + text.encode() + data[offset + length:]
    with open(path, 'wb') as f:
        f.write(data)
    print(f'{uri}: {len(edits[uri])} replacement(s)')
