// Validates CSAF 2.0 documents with the BSI/secvisogram reference library (@secvisogram/csaf-validator-lib, installed
// by .ci/run into artifacts/tools): the strict schema, every mandatory test (6.1.x), every optional, i.e.
// recommended, test (6.2.x) and the informative tests (6.3.x) that run offline.
//
//   node tests/validators/csaf-validate.mjs FILE...
//
// Prints one line per finding: "FILE: LEVEL TEST PATH MESSAGE". Exits 1 when any document has a schema or mandatory
// error or a recommended-test warning, 2 on a usage error; informative findings are printed but do not fail.
// Not run: 6.3.6 and 6.3.7 fetch every URL in the document (this machine reaches no web server), and 6.3.8 spell
// checks through a hunspell process with the document's dictionaries.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node tests/validators/csaf-validate.mjs FILE...')
  process.exit(2)
}

// The library lives in artifacts/tools (npm install --prefix artifacts/tools), or wherever CSAF_VALIDATOR_LIB points.
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')
const libDir =
  process.env.CSAF_VALIDATOR_LIB ??
  path.join(repo, 'artifacts', 'tools', 'node_modules', '@secvisogram', 'csaf-validator-lib')
const load = (name) => import(pathToFileURL(path.join(libDir, name)).href)
let validateStrict, schema, mandatory, optional, informative
try {
  validateStrict = (await load('validateStrict.js')).default
  schema = await load('schemaTests.js')
  mandatory = await load('mandatoryTests.js')
  optional = await load('optionalTests.js')
  informative = await load('informativeTests.js')
} catch (e) {
  console.error(`csaf-validate: cannot load @secvisogram/csaf-validator-lib from ${libDir}: ${e.message}`)
  process.exit(2)
}

const offline = Object.entries(informative)
  .filter(([name]) => !['informativeTest_6_3_6', 'informativeTest_6_3_7', 'informativeTest_6_3_8'].includes(name))
  .map(([, test]) => test)

const groups = [
  { kind: 'schema', tests: [schema.csaf_2_0_strict], fails: ['errors', 'warnings'] },
  { kind: 'mandatory', tests: Object.values(mandatory), fails: ['errors', 'warnings'] },
  { kind: 'recommended', tests: Object.values(optional), fails: ['errors', 'warnings'] },
  { kind: 'informative', tests: offline, fails: ['errors'] },
]

let failed = false
for (const file of files) {
  let document
  try {
    document = JSON.parse(await readFile(file, 'utf8'))
  } catch (e) {
    console.error(`${file}: cannot read a JSON document: ${e.message}`)
    process.exit(2)
  }

  const counts = {}
  for (const group of groups) {
    const result = await validateStrict(group.tests, document)
    for (const test of result.tests) {
      for (const level of ['errors', 'warnings', 'infos']) {
        for (const finding of test[level] ?? []) {
          const fails = group.fails.includes(level)
          failed ||= fails
          counts[`${group.kind} ${level}`] = (counts[`${group.kind} ${level}`] ?? 0) + 1
          console.log(`${file}: ${level.slice(0, -1)} ${test.name} ${finding.instancePath || '/'} ${finding.message}${fails ? '' : ' (informative)'}`)
        }
      }
    }
  }

  const summary = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')
  console.log(`${file}: ${summary || 'no findings'} (schema, ${Object.keys(mandatory).length} mandatory, ${Object.keys(optional).length} recommended, ${offline.length} informative tests)`)
}

process.exit(failed ? 1 : 0)
