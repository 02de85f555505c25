"""Summarises an HTML report's DOM (as `chromium --dump-dom` serialises it, after the page's script
ran) for FileCheck: the elements the report promises to tests and users' scripts.

usage: html_dom.py FILE.html
"""
import sys
from html.parser import HTMLParser

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param',
        'source', 'track', 'wbr'}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], []

    def classes(self):
        return (self.attrs.get('class') or '').split()

    def descendants(self):
        for c in self.children:
            yield c
            yield from c.descendants()

    def all_text(self):
        return ''.join(self.text) + ''.join(c.all_text() for c in self.children)


class Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node('#document', [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.text.append(data)


b = Builder()
with open(sys.argv[1], encoding='utf-8') as f:
    b.feed(f.read())
nodes = list(b.root.descendants())
by_id = {n.attrs['id']: n for n in nodes if n.attrs.get('id')}


def show(id_):
    n = by_id.get(id_)
    return f'#{id_}: ' + ('MISSING' if n is None else f'<{n.tag}>')


title = next((n.all_text() for n in nodes if n.tag == 'title'), 'MISSING')
print('title:', title)
verdict = by_id.get('verdict')
print(show('verdict'), verdict and ' '.join(verdict.classes()), verdict and verdict.all_text().strip())
print(show('summary'))
table = by_id.get('summary-table')
rows = [n for n in table.descendants() if n.tag == 'tr'] if table else []
print(show('summary-table'), 'rows', len(rows))
for r in rows[1:]:
    print('  row', ' | '.join(c.all_text().strip() for c in r.children if c.tag in ('td', 'th')))
findings = by_id.get('findings')
articles = [n for n in findings.descendants() if n.tag == 'article' and 'finding' in n.classes()] \
    if findings else []
print(show('findings'), 'article.finding', len(articles))
for a in articles:
    loc = next((n.all_text() for n in a.descendants() if 'location' in n.classes()), '')
    print('  finding', a.attrs.get('data-check'), a.attrs.get('data-level'), loc,
          'gating' if any('gating' in n.classes() for n in a.descendants()) else 'not-gating')
count = by_id.get('filter-count')
print(show('filter-count'), count and count.all_text())
graph = by_id.get('graph')
svgs = [n for n in graph.descendants() if n.tag == 'svg'] if graph else []
print(show('graph'), 'svg', len(svgs), 'graph nodes',
      sum(1 for s in svgs for n in s.descendants() if (n.attrs.get('id') or '').startswith('graph-')))
