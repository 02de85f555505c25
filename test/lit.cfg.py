# lit configuration for ErrorShield. ctest runs each test file through lit with
#   --param es_build=<cmake build dir> --param es_tools=<LLVM bin dir>
import os
import lit.formats

config.name = 'ErrorShield'
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = ['.cpp', '.test']
config.excludes = ['Inputs', 'eval', 'eval-blind']
config.test_source_root = os.path.dirname(__file__)

build = lit_config.params.get('es_build')
tools = lit_config.params.get('es_tools', '/usr/lib/llvm-22/bin')
if not build:
    lit_config.fatal('run through ctest, or pass --param es_build=<build dir>')
build = os.path.abspath(build)
config.test_exec_root = os.path.join(build, 'test-output')
repo = os.path.dirname(config.test_source_root)

config.environment['PATH'] = os.pathsep.join([tools, config.environment.get('PATH', '')])
plugin = os.path.join(build, 'lib', 'libErrorShield.so')
# Debian's python3 carries python3-jsonschema; the pyenv one on PATH may not.
python = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') else 'python3'

config.substitutions.append(('%clang_tidy', f'{tools}/clang-tidy --load={plugin}'))
config.substitutions.append(('%bare_clang_tidy', f'{tools}/clang-tidy'))
config.substitutions.append(('%plugin', plugin))
config.substitutions.append(('%build_dir', build))
config.substitutions.append(('%errorshield_clangd', os.path.join(build, 'bin', 'errorshield-clangd')))
config.substitutions.append(('%stock_clangd', f'{tools}/clangd'))
config.substitutions.append(('%errorshield', os.path.join(build, 'bin', 'errorshield')))
config.substitutions.append(('%sarif_schema', os.path.join(os.path.dirname(repo), 'shared', 'schemas', 'sarif-schema-2.1.0.json')))
config.substitutions.append(('%clangxx', f'{tools}/clang++'))
config.substitutions.append(('%python', python))
config.substitutions.append(('%repo_root', repo))
config.substitutions.append(('%catalog_json', os.path.join(build, 'checks', 'generated', 'catalog.json')))
config.substitutions.append(('%mocks', os.path.join(config.test_source_root, 'checkers', 'Inputs', 'mocks')))
# Removes the FileCheck directives from a test before clang-tidy sees it, keeping line numbers, so
# a fixed file can be checked and compiled without matching its own CHECK lines.
config.substitutions.append(('%strip_checks', "sed -e 's#// *CHECK[A-Z-]*:.*##'"))
