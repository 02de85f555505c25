"""Prints the parts of an ErrorShield SARIF log that tests pin, one fact per line.

usage: sarif_digest.py FILE

  invocation executionSuccessful=<bool> notifications=<n>
  notification <level> <uri>: <message>
  rules <n>: <id> <id> ...
  result <ruleId> <level> <uri>:<line>:<col> gating=<bool> fp=<fingerprint> related=<n> fixes=<n>
    related <uri>:<line>:<col> <message>
    fix <uri>:<line>:<col>-<line>:<col> <replacement as JSON>
"""
import json
import sys


def where(phys):
    region = phys.get('region', {})
    return '%s:%s:%s' % (phys['artifactLocation']['uri'], region.get('startLine'),
                         region.get('startColumn'))


with open(sys.argv[1]) as f:
    run = json.load(f)['runs'][0]
inv = run['invocations'][0]
notes = inv.get('toolExecutionNotifications', [])
print('invocation executionSuccessful=%s notifications=%d' %
      (str(inv['executionSuccessful']).lower(), len(notes)))
for n in notes:
    uri = n['locations'][0]['physicalLocation']['artifactLocation']['uri']
    print('notification %s %s: %s' % (n['level'], uri, n['message']['text']))
rules = [r['id'] for r in run['tool']['driver']['rules']]
print('rules %d: %s' % (len(rules), ' '.join(rules)))
for r in run['results']:
    fixes = r.get('fixes', [])
    related = r.get('relatedLocations', [])
    print('result %s %s %s gating=%s fp=%s related=%d fixes=%d' % (
        r['ruleId'], r['level'], where(r['locations'][0]['physicalLocation']),
        str(r['properties']['gating']).lower(), r['partialFingerprints']['errorshield/v1'],
        len(related), len(fixes)))
    for rel in related:
        print('  related %s %s' % (where(rel['physicalLocation']), rel['message']['text']))
    for fix in fixes:
        for change in fix['artifactChanges']:
            for rep in change['replacements']:
                d = rep['deletedRegion']
                print('  fix %s:%s:%s-%s:%s %s' % (
                    change['artifactLocation']['uri'], d['startLine'], d['startColumn'],
                    d['endLine'], d['endColumn'], json.dumps(rep['insertedContent']['text'])))
