"""Validates SARIF logs against the SARIF 2.1.0 JSON schema (draft-04), with format checks.

usage: validate_sarif.py SCHEMA FILE...

Prints "<file>: valid SARIF 2.1.0" per valid file; for an invalid one prints every schema error
(JSON path and message) and exits 1.
"""
import json
import sys

import jsonschema

schema_path, files = sys.argv[1], sys.argv[2:]
if not files:
    sys.exit('usage: validate_sarif.py SCHEMA FILE...')
with open(schema_path) as f:
    schema = json.load(f)
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
failed = False
for path in files:
    with open(path) as f:
        log = json.load(f)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = '/'.join(str(p) for p in e.absolute_path) or '(root)'
        print(f'{path}: /{where}: {e.message}')
    if errors:
        failed = True
    else:
        print(f'{path}: valid SARIF 2.1.0')
sys.exit(1 if failed else 0)
