#!/usr/bin/env python3
"""Validate the ErrorShield knowledge graph against its JSON schema and lint it.

Run from the repository root:  python3 tools/catalog/lint_catalog.py [--registered-checks FILE]

Every problem is printed as "<file>: <JSON pointer>: error: <problem>" (or "warning:"), the file
relative to --root when it lies below it. Exits 1 if there is any error; on success the last line is
"catalog ok: N patterns, M consequences". The catalog is bundled with bundle_catalog.bundle(), exactly
as the build does; schema errors are then mapped back to the pattern file they came from.

--registered-checks takes one check name per line, e.g. the output of
  clang-tidy-22 --load build/lib/libErrorShield.so -checks='-*,errorshield-*' --list-checks
(header lines ending in ':' and blank lines are ignored).
--extra-catalog also validates a user extra catalog (ErrorShieldExtraCatalog) against
knowledge-graph/extra-catalog.schema.json and the built-in catalog.
"""
import argparse
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

import jsonschema

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = HERE.parents[1] / 'knowledge-graph'


def import_by_path(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundler = import_by_path('bundle_catalog', HERE / 'bundle_catalog.py')


def pointer(parts):
    return ''.join('/' + str(p).replace('~', '~0').replace('/', '~1') for p in parts)


class Report:
    def __init__(self, root):
        self.root = root
        self.errors = self.warnings = 0

    def show(self, path):
        path = os.path.abspath(path)
        inside = os.path.commonpath([path, self.root]) == self.root
        return os.path.relpath(path, self.root) if inside else path

    def add(self, path, where, problem, severity='error'):
        if not isinstance(where, str):
            where = pointer(where)
        print(f'{self.show(path)}: {where}: {severity}: {problem}')
        if severity == 'error':
            self.errors += 1
        else:
            self.warnings += 1


def plural(n, word):
    return f'{n} {word}' + ('' if n == 1 else 's')


def load(report, path):
    try:
        with open(path, encoding='utf-8') as f:
            return True, json.load(f)
    except OSError as e:
        report.add(path, '', f'cannot read: {e.strerror}')
    except ValueError as e:
        report.add(path, '', f'invalid JSON: {e}')
    return False, None


def validator(schema_name):
    path = SCHEMA_DIR / schema_name
    with open(path, encoding='utf-8') as f:
        schema = json.load(f)
    # Cross-file "$ref"s (extra-catalog -> catalog) resolve relative to the schema file. RefResolver is
    # what Debian's jsonschema 4.10 offers; newer releases keep it but deprecate it.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        resolver = jsonschema.RefResolver(base_uri=path.as_uri(), referrer=schema)
        return jsonschema.Draft202012Validator(schema, resolver=resolver)


def schema_errors(schema_name, document):
    errors = validator(schema_name).iter_errors(document)
    return sorted(errors, key=lambda e: [(isinstance(p, str), p) for p in e.absolute_path])


PLACEHOLDER = 'TODO: describe'  # what tools/new_check.py writes into a fresh entry


def blank_strings(value, parts):
    """Whitespace-only or placeholder strings outside options (empty ones are reported by the
    schema's minLength)."""
    if isinstance(value, str):
        if (value and not value.strip()) or PLACEHOLDER in value:
            yield parts
    elif isinstance(value, dict):
        for k, v in value.items():
            if parts[-1:] != ['properties'] or k != 'options':
                yield from blank_strings(v, parts + [k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from blank_strings(v, parts + [i])


def obj(value, *keys):
    """value[k1][k2]... or None when any level is missing or not an object."""
    for k in keys:
        value = value.get(k) if isinstance(value, dict) else None
    return value


def lint_documented_defaults(report, path, pattern, page, page_name):
    """Each list option's default must be on the check's page, as clang-tidy's --dump-config prints
    it (`a;b;c`) or as the items of its **Option** paragraph (`a`, `b`, `c`)."""
    options = obj(pattern, 'properties', 'options')
    text = Path(page).read_text(encoding='utf-8')
    for key, value in (options.items() if isinstance(options, dict) else []):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            continue
        if '`' + ';'.join(value) + '`' in text:
            continue
        start = text.find('**' + key + '**')
        paragraph = text[start:text.find('\n\n', start)] if start >= 0 else ''
        if start < 0 or not all('`' + v + '`' in paragraph for v in value):
            report.add(path, ['properties', 'options', key],
                       f'the default is not on {page_name}: expected `{";".join(value)}`')


def lint_graph(report, graph, root):
    """Returns (catalog, pattern file of each bundled pattern), or (None, None) if it cannot bundle."""
    pattern_dir, cq_file = os.path.join(graph, 'patterns'), os.path.join(graph, 'consequences.json')
    if not os.path.isdir(pattern_dir):
        report.add(pattern_dir, '', 'missing patterns directory')
        return None, None
    files, ok = [], load(report, cq_file)[0]
    for name in sorted(n for n in os.listdir(pattern_dir) if n.endswith('.json')):
        path = os.path.join(pattern_dir, name)
        good, data = load(report, path)
        ok = ok and good
        if good and not (isinstance(data, dict) and isinstance(data.get('id'), str)):
            report.add(path, '', 'a pattern must be an object with a string "id"')
            ok = False
        files.append((path, data))
    if not ok:
        return None, None
    catalog = bundler.bundle(graph)
    # bundle() reorders the patterns; find each one's file again by content.
    owner = []
    for p in catalog['patterns']:
        i = next(i for i, (_, data) in enumerate(files) if data == p)
        owner.append(files.pop(i)[0])

    for e in schema_errors('catalog.schema.json', catalog):
        path = list(e.absolute_path)
        if path[:1] == ['patterns'] and len(path) > 1:
            report.add(owner[path[1]], path[2:], e.message)
        elif path[:1] == ['consequences']:
            report.add(cq_file, path[1:], e.message)
        else:
            report.add(graph, path, e.message)

    patterns, consequences = catalog['patterns'], catalog['consequences']
    if not isinstance(consequences, list):
        return None, None
    seen_ids, seen_names, referenced = {}, {}, set()
    for p, path in zip(patterns, owner):
        pid, name = p['id'], p.get('name')
        if os.path.basename(path) != pid + '.json':
            report.add(path, '/id', f'file name should be {pid}.json')
        if pid in seen_ids:
            report.add(path, '/id', f'duplicate pattern id {pid} (also in {report.show(seen_ids[pid])})')
        seen_ids.setdefault(pid, path)
        if isinstance(name, str):
            if name in seen_names:
                report.add(path, '/name', f'duplicate check name {name} (also in {report.show(seen_names[name])})')
            seen_names.setdefault(name, path)
        for parts in blank_strings(p, []):
            report.add(path, parts, 'text is only whitespace or a new_check.py placeholder')
        help_uri = p.get('helpUri')
        if isinstance(help_uri, str) and help_uri.strip() and '://' not in help_uri \
                and not os.path.isfile(os.path.join(root, help_uri)):
            report.add(path, '/helpUri', f'help file {help_uri} does not exist')
        if isinstance(help_uri, str) and help_uri.endswith('.md') \
                and os.path.isfile(os.path.join(root, help_uri)):
            lint_documented_defaults(report, path, p, os.path.join(root, help_uri), help_uri)
        tests = obj(p, 'properties', 'tests')
        for i, t in enumerate(tests if isinstance(tests, list) else []):
            if isinstance(t, str) and t.strip() and not os.path.exists(os.path.join(root, t)):
                report.add(path, ['properties', 'tests', i], f'test {t} does not exist')
        for kind in ('bad', 'good'):
            ex = obj(p, 'properties', 'examples', kind)
            if isinstance(ex, str) and ex.strip() and not os.path.isfile(os.path.join(root, ex)):
                report.add(path, ['properties', 'examples', kind], f'example {ex} does not exist')

    cq_ids = {}
    for i, c in enumerate(consequences):
        cid = obj(c, 'id')
        if isinstance(cid, str) and cid in cq_ids:
            report.add(cq_file, [i, 'id'], f'duplicate consequence id {cid} (also at /{cq_ids[cid]})')
        elif isinstance(cid, str):
            cq_ids[cid] = i
        for parts in blank_strings(c, [i]):
            report.add(cq_file, parts, 'text is only whitespace')

    for p, path in zip(patterns, owner):
        rels = p.get('relationships')
        for i, r in enumerate(rels if isinstance(rels, list) else []):
            target = obj(r, 'target', 'id')
            if not isinstance(target, str):
                continue
            referenced.add(target)
            if target not in seen_ids and target not in cq_ids:
                report.add(path, ['relationships', i, 'target', 'id'],
                           f'relationship target {target} is neither a pattern nor a consequence')
    for cid, i in cq_ids.items():
        if cid not in referenced:
            report.add(cq_file, [i], f'consequence {cid} is not referenced by any pattern', 'warning')
    return catalog, owner


def lint_registered(report, catalog, owner, checks_file):
    registered = {}
    with open(checks_file, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            name = line.strip()
            if name and not name.endswith(':'):
                registered.setdefault(name, n)
    names = set()
    for p, path in zip(catalog['patterns'], owner):
        name = p.get('name')
        names.add(name)
        if isinstance(name, str) and name not in registered and bundler.is_check(p):
            report.add(path, '/name', f'check {name} is not registered by the module')
    for name, n in registered.items():
        if name.startswith(bundler.CHECK_PREFIX) and name not in names:
            report.add(checks_file, f'line {n}', f'registered check {name} has no catalog entry')


def lint_extra(report, catalog, extra_file):
    ok, extra = load(report, extra_file)
    if not ok:
        return
    errors = schema_errors('extra-catalog.schema.json', extra)
    for e in errors:
        report.add(extra_file, list(e.absolute_path), e.message)
    if errors:
        return
    ids = {p['id'] for p in catalog['patterns']}
    names = {p['name'] for p in catalog['patterns']}
    cq_ids = {c['id'] for c in catalog['consequences']}
    new_ids = {p['id'] for p in extra.get('patterns', []) if 'name' in p}
    for i, p in enumerate(extra.get('patterns', [])):
        if 'name' in p and p['id'] in ids:
            report.add(extra_file, ['patterns', i, 'id'], f'pattern {p["id"]} is already built in; '
                       'to extend it give only "id" and "properties.options"')
        elif 'name' in p and p['name'] in names:
            report.add(extra_file, ['patterns', i, 'name'], f'check name {p["name"]} is already built in')
        elif 'name' not in p and p['id'] not in ids | new_ids:
            report.add(extra_file, ['patterns', i, 'id'], f'no pattern {p["id"]} to extend; '
                       'a new pattern needs a complete entry')
    for i, c in enumerate(extra.get('consequences', [])):
        if c['id'] in cq_ids:
            report.add(extra_file, ['consequences', i, 'id'], f'consequence {c["id"]} is already built in')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--root', default=str(HERE.parents[1]),
                    help='repository root that helpUri, tests and examples are relative to')
    ap.add_argument('--graph', help='knowledge-graph directory (default: <root>/knowledge-graph)')
    ap.add_argument('--registered-checks', metavar='FILE', help='check names the module registers')
    ap.add_argument('--extra-catalog', metavar='FILE', help='also validate this user extra catalog')
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    graph = os.path.abspath(a.graph or os.path.join(root, 'knowledge-graph'))
    report = Report(root)
    catalog, owner = lint_graph(report, graph, root)
    if catalog is not None and a.registered_checks:
        lint_registered(report, catalog, owner, a.registered_checks)
    if catalog is not None and a.extra_catalog:
        lint_extra(report, catalog, a.extra_catalog)
    if report.errors:
        print(f'catalog check failed: {plural(report.errors, "error")}, '
              f'{plural(report.warnings, "warning")}')
        return 1
    print(f'catalog ok: {len(catalog["patterns"])} patterns, {len(catalog["consequences"])} consequences')
    return 0


if __name__ == '__main__':
    sys.exit(main())
