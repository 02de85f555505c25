#!/usr/bin/env python3
"""Create a new ErrorShield check: catalog entry, check pair, strict lit test, docs page.

    python3 tools/new_check.py --name errorshield-ws-close-code --id ES-WS-005 --category websocket

Nothing else needs touching: the build registers every catalog entry whose name is an errorshield-*
check (tools/catalog/bundle_catalog.py derives the class name, e.g. WsCloseCodeCheck) and compiles
every checks/<category>/*.cpp. The generated test FAILS until the check reports its first real
diagnostic, and the catalog lint fails until the entry's placeholder texts are replaced, so a stub
cannot pass for a finished check.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'catalog'))
from bundle_catalog import check_class_name  # noqa: E402  (one naming rule for build and generator)

PLACEHOLDER = 'TODO: describe'

HEADER = '''//===--- {cls}.h - {name} {fill}*- C++ -*-===//

#ifndef ERRORSHIELD_{guard}_H
#define ERRORSHIELD_{guard}_H

#include "core/ErrorShieldCheck.h"

namespace clang::tidy::errorshield {{

/// For the user-facing documentation see: docs/checks/{name}.md
class {cls} : public ErrorShieldCheck {{
public:
  {cls}(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {{
    return LangOpts.CPlusPlus;
  }}
}};

}} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_{guard}_H
'''

SOURCE = '''//===--- {cls}.cpp - {name} ----===//

#include "{category}/{cls}.h"
#include "core/Matchers.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {{

{cls}::{cls}(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context) {{}}

void {cls}::storeOptions(ClangTidyOptions::OptionMap &Opts) {{}}

void {cls}::registerCheckMatchers(MatchFinder *Finder) {{
  // Named sub-matchers go here; the lists they use come from listOption("...").
}}

void {cls}::check(const MatchFinder::MatchResult &Result) {{}}

}} // namespace clang::tidy::errorshield
'''

TEST = '''// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,{name}' -- -std=c++20 -nostdinc++ -isystem %mocks \\
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{{{warning|error|note}}}}:'

// Replace with the first real positive; it fails until the check reports it.
void first_positive();
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: {{{{.*}}}} [{id}] [{name}]
'''

DOC = '''# {name}

Pattern: **{id}** (`knowledge-graph/patterns/{id}.json`). Every diagnostic ends with `[{id}]`.

{placeholder} what the check finds, in one paragraph.

## Example

BAD:

```cpp
```

GOOD:

```cpp
```

## Options

'''


def pattern_entry(name, pid, category):
    text = {'text': f'{PLACEHOLDER} {name}'}
    return {
        'id': pid, 'name': name, 'shortDescription': text, 'fullDescription': text,
        'helpUri': f'docs/checks/{name}.md', 'defaultConfiguration': {'level': 'warning'},
        'properties': {
            'category': category, 'precision': 'medium', 'tags': [category], 'cwe': [],
            'seed': PLACEHOLDER, 'trigger': PLACEHOLDER, 'context': PLACEHOLDER,
            'consequence': PLACEHOLDER,
            'fix': {'text': PLACEHOLDER, 'bad': PLACEHOLDER, 'good': PLACEHOLDER},
            'tests': [f'test/checkers/{name}.cpp'], 'options': {},
        },
        'relationships': [],
    }


def create(path, text):
    if os.path.exists(path):
        sys.exit(f'{path}: already exists; not overwriting')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    print(f'created {path}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--name', required=True, help='errorshield-<words>')
    ap.add_argument('--id', required=True, help='ES-<CATEGORY>-<NNN>')
    ap.add_argument('--category', required=True, help='checks/ sub-folder, e.g. websocket')
    ap.add_argument('--root', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    a = ap.parse_args()
    if not re.fullmatch(r'errorshield-[a-z0-9]+(-[a-z0-9]+)*', a.name):
        sys.exit('--name must look like errorshield-words-with-dashes')
    if not re.fullmatch(r'ES-[A-Z0-9]+-[0-9]{3}', a.id):
        sys.exit('--id must look like ES-CATEGORY-001')
    cls = check_class_name(a.name)
    r = a.root
    create(os.path.join(r, 'knowledge-graph', 'patterns', f'{a.id}.json'),
           json.dumps(pattern_entry(a.name, a.id, a.category), indent=2) + '\n')
    create(os.path.join(r, 'checks', a.category, f'{cls}.h'),
           HEADER.format(cls=cls, name=a.name, guard=cls.upper(), fill='-' * 4))
    create(os.path.join(r, 'checks', a.category, f'{cls}.cpp'),
           SOURCE.format(cls=cls, name=a.name, category=a.category))
    create(os.path.join(r, 'test', 'checkers', f'{a.name}.cpp'), TEST.format(name=a.name, id=a.id))
    create(os.path.join(r, 'docs', 'checks', f'{a.name}.md'),
           DOC.format(name=a.name, id=a.id, placeholder=PLACEHOLDER))
    print('next: write the matchers and the test, fill the catalog entry, add a README row')


if __name__ == '__main__':
    main()
