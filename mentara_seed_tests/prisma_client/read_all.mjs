#!/usr/bin/env node
// Read every row of every model (plus every relation, one level deep) of a
// PostgreSQL database through the real Prisma client, and fail loudly on
// anything Prisma cannot read.
//
//   node read_all.mjs --schema <schema dir or file> --url <postgres url>
//
// See README.md beside this file. On success prints one JSON line to stdout:
//   {"models": {"User": 45, ...}, "rows": 1234}
// On any error prints "read_all: error: ..." to stderr and exits non-zero
// (2 for bad arguments, 1 for everything else).

import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)

const USAGE = `usage: node read_all.mjs --schema <dir|file> --url <postgres url> [options]

  --schema DIR|FILE   Prisma schema folder (schema.prisma + models/*.prisma) or a
                      single .prisma file          [env PRISMA_SCHEMA_DIR]
  --url URL           postgresql://user@host:port/db[?schema=name]; a SQLAlchemy
                      "postgresql+psycopg://" URL is accepted too
                                                   [env DATABASE_URL]
  --batch-size N      rows per findMany page (default 2000)
                                                   [env PRISMA_READ_ALL_BATCH_SIZE]
  --cache-dir DIR     reuse generated clients across runs, keyed by a hash of the
                      schema files and the Prisma version (default: none, a fresh
                      temporary client per run)    [env PRISMA_READ_ALL_CACHE_DIR]
  --keep              keep the temporary directory (printed on stderr)
  --verbose           progress and prisma generate output on stderr
  -h, --help          this text`

class UsageError extends Error {}
class ReadError extends Error {}

function parseArgs(argv) {
  const opts = {
    schema: process.env.PRISMA_SCHEMA_DIR || '',
    url: process.env.DATABASE_URL || '',
    batchSize: process.env.PRISMA_READ_ALL_BATCH_SIZE || '2000',
    cacheDir: process.env.PRISMA_READ_ALL_CACHE_DIR || '',
    keep: false,
    verbose: false,
  }
  const valued = { '--schema': 'schema', '--url': 'url', '--batch-size': 'batchSize', '--cache-dir': 'cacheDir' }
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]
    let value
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1)
      arg = arg.slice(0, eq)
    }
    if (arg in valued) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`)
        value = argv[++i]
      }
      opts[valued[arg]] = value
    } else if (arg === '--keep') opts.keep = true
    else if (arg === '--verbose' || arg === '-v') opts.verbose = true
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE + '\n')
      process.exit(0)
    } else throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}`)
  }
  if (!opts.schema) throw new UsageError('no schema: pass --schema DIR or set PRISMA_SCHEMA_DIR')
  if (!opts.url) throw new UsageError('no database URL: pass --url URL or set DATABASE_URL')
  if (!/^\d+$/.test(String(opts.batchSize)) || Number(opts.batchSize) < 1) {
    throw new UsageError(`--batch-size must be a positive integer, got ${JSON.stringify(opts.batchSize)}`)
  }
  opts.batchSize = Number(opts.batchSize)
  opts.conn = connectionConfig(opts.url)
  opts.schema = path.resolve(opts.schema)
  if (opts.cacheDir) opts.cacheDir = path.resolve(opts.cacheDir)
  return opts
}

let VERBOSE = false
const log = (...a) => {
  if (VERBOSE) console.error('read_all:', ...a)
}

// ---------------------------------------------------------------- schema copy

// The .prisma files of a schema folder (recursively) or the single file given.
function schemaFiles(schemaPath) {
  let st
  try {
    st = fs.statSync(schemaPath)
  } catch {
    throw new ReadError(`schema path ${schemaPath} does not exist`)
  }
  if (st.isFile()) return { root: path.dirname(schemaPath), files: [path.basename(schemaPath)] }
  const files = []
  const walk = (rel) => {
    for (const ent of fs.readdirSync(path.join(schemaPath, rel), { withFileTypes: true })) {
      const r = rel ? path.join(rel, ent.name) : ent.name
      if (ent.isDirectory()) {
        if (ent.name !== 'migrations' && ent.name !== 'node_modules') walk(r)
      } else if (ent.name.endsWith('.prisma')) files.push(r)
    }
  }
  walk('')
  files.sort()
  if (files.length === 0) throw new ReadError(`no .prisma files under ${schemaPath}`)
  return { root: schemaPath, files }
}

// [start, end) of every top-level `<keyword> <name> { ... }` block, braces
// matched while skipping strings and // comments.
function findBlocks(text, keyword) {
  const blocks = []
  const re = new RegExp(`^[ \\t]*${keyword}\\s+(\\w+)\\s*\\{`, 'gm')
  let m
  while ((m = re.exec(text))) {
    let depth = 0
    let i = m.index + m[0].length - 1
    let inStr = false
    for (; i < text.length; i++) {
      const c = text[i]
      if (inStr) {
        if (c === '\\') i++
        else if (c === '"') inStr = false
      } else if (c === '"') inStr = true
      else if (c === '/' && text[i + 1] === '/') {
        const nl = text.indexOf('\n', i)
        i = nl < 0 ? text.length : nl
      } else if (c === '{') depth++
      else if (c === '}' && --depth === 0) break
    }
    if (depth !== 0) throw new ReadError(`unbalanced braces in ${keyword} block "${m[1]}"`)
    blocks.push({ name: m[1], start: m.index, end: i + 1, body: text.slice(m.index, i + 1) })
    re.lastIndex = i + 1
  }
  return blocks
}

// Preview features that are GA by Prisma 6.19 (keeping them only prints
// deprecation warnings); any other preview feature of the schema is kept.
const OBSOLETE_PREVIEW = new Set([
  'prismaSchemaFolder', 'driverAdapters', 'queryCompiler', 'omitApi', 'fullTextIndex', 'tracing',
  'interactiveTransactions', 'extendedWhereUnique', 'fieldReference', 'clientExtensions',
  'filteredRelationCount', 'orderByNulls', 'jsonProtocol', 'improvedQueryRaw', 'multiSchema',
])

// Copy the schema into `dest`, replacing every generator block by two: a
// Rust-free ("client" engine) prisma-client-js writing to <bundle>/client, and
// dmmf_generator.cjs writing Prisma's full DMMF to <bundle>/dmmf.json.
// Returns the schema argument for the CLI and a hash of the inputs.
function prepareSchema(schemaPath, dest, bundle) {
  const { root, files } = schemaFiles(schemaPath)
  const texts = files.map((f) => fs.readFileSync(path.join(root, f), 'utf8'))
  const previews = new Set()
  let datasourceIdx = -1
  let provider = ''
  texts.forEach((t, idx) => {
    const ds = findBlocks(t, 'datasource')
    if (ds.length) {
      datasourceIdx = idx
      const p = /^\s*provider\s*=\s*"([^"]+)"/m.exec(ds[0].body)
      provider = p ? p[1] : ''
    }
    for (const g of findBlocks(t, 'generator')) {
      const pf = /previewFeatures\s*=\s*\[([^\]]*)\]/.exec(g.body)
      if (pf) for (const s of pf[1].matchAll(/"([^"]+)"/g)) if (!OBSOLETE_PREVIEW.has(s[1])) previews.add(s[1])
    }
  })
  if (datasourceIdx < 0) throw new ReadError(`no datasource block in the schema at ${schemaPath}`)
  if (provider !== 'postgresql' && provider !== 'postgres') {
    throw new ReadError(`datasource provider is ${JSON.stringify(provider)}; only "postgresql" is supported`)
  }
  const slash = (p) => p.split(path.sep).join('/')
  const quote = (p) => `"${p}"`
  const generator = [
    'generator client {',
    '  provider   = "prisma-client-js"',
    `  output     = ${JSON.stringify(slash(path.join(bundle, 'client')))}`,
    '  engineType = "client"',
    ...(previews.size ? [`  previewFeatures = ${JSON.stringify([...previews])}`] : []),
    '}',
    '',
    'generator read_all_dmmf {',
    `  provider = ${JSON.stringify(`${quote(process.execPath)} ${quote(path.join(HERE, 'dmmf_generator.cjs'))}`)}`,
    `  output   = ${JSON.stringify(slash(path.join(bundle, 'dmmf.json')))}`,
    '}',
    '',
  ].join('\n')
  const hash = createHash('sha256')
  files.forEach((f, idx) => {
    let t = texts[idx]
    for (const g of findBlocks(t, 'generator').reverse()) t = t.slice(0, g.start) + t.slice(g.end)
    if (idx === datasourceIdx) t = generator + '\n' + t
    const target = path.join(dest, f)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, t)
    hash.update(f + '\0' + texts[idx] + '\0')
  })
  return { schemaArg: files.length === 1 ? path.join(dest, files[0]) : dest, hash }
}

// ------------------------------------------------------------------- generate

function prismaCli() {
  const pkgPath = require.resolve('prisma/package.json')
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'))
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.prisma
  return { cli: path.join(path.dirname(pkgPath), bin), version: pkg.version }
}

function runGenerate(cli, schemaArg, workDir) {
  // The CLI looks for @prisma/client upwards from the schema; give the
  // temporary directory this harness's node_modules.
  const modules = path.join(workDir, 'node_modules')
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(HERE, 'node_modules'), modules, 'junction')
  const placeholder = path.join(workDir, 'no-native-engine')
  fs.writeFileSync(placeholder, '')
  const env = { ...process.env }
  // The CLI wants a native schema engine and query engine library on disk and
  // downloads them from binaries.prisma.sh otherwise. Generating a Rust-free
  // client needs neither, so empty placeholder files are enough.
  for (const name of ['PRISMA_SCHEMA_ENGINE_BINARY', 'PRISMA_QUERY_ENGINE_LIBRARY']) {
    if (!env[name]) env[name] = placeholder
  }
  env.CHECKPOINT_DISABLE = '1' // no telemetry/update check request
  env.PRISMA_HIDE_UPDATE_MESSAGE = '1'
  env.PRISMA_GENERATE_SKIP_AUTOINSTALL = '1'
  const started = Date.now()
  const res = spawnSync(process.execPath, [cli, 'generate', '--schema', schemaArg, '--no-hints'], {
    cwd: workDir, // no prisma.config.ts or .env of the caller gets picked up
    env,
    encoding: 'utf8',
    timeout: 120_000,
  })
  const out = `${res.stdout || ''}${res.stderr || ''}`.trim()
  if (res.error) throw new ReadError(`prisma generate could not run: ${res.error.message}\n${out}`)
  if (res.status !== 0) throw new ReadError(`prisma generate failed (exit ${res.status}):\n${out}`)
  log(`prisma generate took ${Date.now() - started} ms\n${out}`)
}

const bundleComplete = (dir) =>
  fs.existsSync(path.join(dir, 'client', 'index.js')) && fs.existsSync(path.join(dir, 'dmmf.json'))

// Generate (or reuse from the cache) a client for the schema; returns the
// bundle directory holding client/ and dmmf.json.
function generateClient(opts, workDir) {
  const { cli, version } = prismaCli()
  const schemaCopy = path.join(workDir, 'schema')
  if (!opts.cacheDir) {
    const bundle = path.join(workDir, 'generated')
    const { schemaArg } = prepareSchema(opts.schema, schemaCopy, bundle)
    runGenerate(cli, schemaArg, workDir)
    if (!bundleComplete(bundle)) throw new ReadError(`prisma generate wrote no client/DMMF to ${bundle}`)
    return bundle
  }
  // Cached: generate into a unique directory, then rename it into place, so
  // parallel runs (pytest-xdist) never see a half-written client.
  fs.mkdirSync(opts.cacheDir, { recursive: true })
  const staging = path.join(opts.cacheDir, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`)
  const { schemaArg, hash } = prepareSchema(opts.schema, schemaCopy, staging)
  hash.update(`prisma ${version}\0read_all v1\0${process.execPath}`)
  const final = path.join(opts.cacheDir, hash.digest('hex').slice(0, 24))
  if (bundleComplete(final)) {
    log(`reusing cached client ${final}`)
    return final
  }
  try {
    runGenerate(cli, schemaArg, workDir)
    if (!bundleComplete(staging)) throw new ReadError(`prisma generate wrote no client/DMMF to ${staging}`)
    try {
      fs.renameSync(staging, final)
    } catch (e) {
      if (!bundleComplete(final)) throw e // else: another run won the race
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
  return final
}

// ---------------------------------------------------------------------- read

function connectionConfig(rawUrl) {
  let url
  try {
    url = new URL(rawUrl.replace(/^postgres(ql)?\+[\w-]+:\/\//, 'postgresql://'))
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(rawUrl)}`)
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new UsageError(`not a PostgreSQL URL (scheme ${url.protocol}): ${JSON.stringify(rawUrl)}`)
  }
  // `?schema=` is Prisma's URL parameter, not libpq's: hand it to the adapter.
  const schema = url.searchParams.get('schema') || undefined
  url.searchParams.delete('schema')
  return { connectionString: url.toString(), schema }
}

const redact = (u) => u.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')

function keyOf(model) {
  const fieldsByName = new Map(model.fields.map((f) => [f.name, f]))
  const required = (names) => names.every((n) => fieldsByName.get(n)?.isRequired)
  const single = model.fields.find((f) => f.isId)
  if (single) return { fields: [single.name], cursorName: null }
  if (model.primaryKey?.fields?.length) {
    const fields = model.primaryKey.fields
    return { fields, cursorName: model.primaryKey.name || fields.join('_') }
  }
  const uniq = model.fields.find((f) => f.isUnique && f.isRequired && f.kind !== 'object')
  if (uniq) return { fields: [uniq.name], cursorName: null }
  for (const ix of model.uniqueIndexes || []) {
    if (ix.fields.length && required(ix.fields)) return { fields: ix.fields, cursorName: ix.name || ix.fields.join('_') }
  }
  return null // only nullable unique criteria: fall back to offset paging
}

function cursorFor(key, row) {
  if (!key.cursorName) return { [key.fields[0]]: row[key.fields[0]] }
  return { [key.cursorName]: Object.fromEntries(key.fields.map((f) => [f, row[f]])) }
}

function describe(v) {
  if (v instanceof Date) return `Date(${v.getTime()})`
  if (typeof v === 'bigint') return `${v}n`
  try {
    return JSON.stringify(v)?.slice(0, 120) ?? String(v)
  } catch {
    return String(v)
  }
}

// Check a row against the contract of the generated client's types. Prisma
// itself throws for most bad data; these are the cases where it could
// otherwise hand the application a value its types say cannot happen.
function makeValidator(model, enums, Prisma) {
  const checks = []
  for (const f of model.fields) {
    if (f.kind === 'unsupported') continue
    if (f.kind === 'object') {
      checks.push((row) => {
        const v = row[f.name]
        if (f.isList) return Array.isArray(v) ? null : `relation ${f.name} is not a list: ${describe(v)}`
        if (v == null && f.isRequired) {
          const fk = (f.relationFromFields || []).map((n) => `${n}=${describe(row[n])}`).join(', ')
          return `required relation ${f.name} -> ${f.type} did not resolve${fk ? ` (${fk})` : ''}`
        }
        return null
      })
      continue
    }
    let ok
    if (f.kind === 'enum') {
      const values = new Set((enums.get(f.type)?.values || []).map((v) => v.name))
      ok = (v) => typeof v === 'string' && values.has(v)
    } else {
      ok = {
        String: (v) => typeof v === 'string',
        Int: (v) => Number.isInteger(v),
        BigInt: (v) => typeof v === 'bigint',
        Float: (v) => typeof v === 'number',
        Decimal: (v) => Prisma.Decimal.isDecimal(v) && !v.isNaN(),
        Boolean: (v) => typeof v === 'boolean',
        DateTime: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
        Bytes: (v) => v instanceof Uint8Array,
        Json: () => true,
      }[f.type] || (() => true)
    }
    const what = f.kind === 'enum' ? `enum ${f.type}` : f.type
    checks.push((row) => {
      if (!(f.name in row)) return `field ${f.name} missing from the result`
      const v = row[f.name]
      if (f.isList) {
        if (v === null) return `list field ${f.name} (${what}[]) is NULL in the database; Prisma types it as a non-null array`
        if (!Array.isArray(v)) return `list field ${f.name} is not an array: ${describe(v)}`
        const bad = v.findIndex((x) => x === null || !ok(x))
        return bad < 0 ? null : `${f.name}[${bad}] is not a valid ${what}: ${describe(v[bad])}`
      }
      if (v === null) return f.isRequired && f.type !== 'Json' ? `required field ${f.name} is null` : null
      return ok(v) ? null : `field ${f.name} is not a valid ${what}: ${describe(v)}`
    })
  }
  return (row) => {
    for (const check of checks) {
      const problem = check(row)
      if (problem) return problem
    }
    return null
  }
}

// Every @id / @unique / @@id / @@unique of the model.
function uniqueCriteria(model) {
  const all = model.fields.filter((f) => (f.isId || f.isUnique) && f.kind !== 'object').map((f) => [f.name])
  if (model.primaryKey?.fields?.length) all.push(model.primaryKey.fields)
  for (const ix of model.uniqueIndexes || []) all.push(ix.fields)
  const seen = new Set()
  return all.filter((fields) => !seen.has(fields.join()) && seen.add(fields.join()))
}

// Prisma trusts the schema's unique criteria. Where the database lacks the
// constraint and the data breaks it, to-one relations (and findUnique) quietly
// return one of several rows, so look for duplicates explicitly.
async function checkUnique(delegate, model, fields) {
  const byName = new Map(model.fields.map((f) => [f.name, f]))
  const where = {}
  for (const n of fields) if (!byName.get(n)?.isRequired) where[n] = { not: null } // NULLs never collide
  const dup = await delegate.groupBy({
    by: fields,
    where,
    having: { [fields[0]]: { _count: { gt: 1 } } },
    _count: { _all: true },
    orderBy: fields.map((n) => ({ [n]: 'asc' })),
    take: 1,
  })
  if (dup.length) {
    const value = fields.map((n) => `${n}=${describe(dup[0][n])}`).join(', ')
    throw new ReadError(
      `${model.name}: ${dup[0]._count._all} rows have ${value}, but the schema declares (${fields.join(', ')}) unique ` +
        '(the database lacks that constraint; Prisma would pick one of them for a to-one relation or findUnique)',
    )
  }
}

async function readModel(prisma, Prisma, model, enums, batchSize) {
  const delegateName = model.name.charAt(0).toLowerCase() + model.name.slice(1)
  const delegate = prisma[delegateName]
  if (!delegate?.findMany) throw new ReadError(`the generated client has no delegate prisma.${delegateName}`)
  const relations = model.fields.filter((f) => f.kind === 'object')
  const include = relations.length ? Object.fromEntries(relations.map((f) => [f.name, true])) : undefined
  const key = keyOf(model)
  const orderFields = key
    ? key.fields
    : model.fields.filter((f) => f.kind !== 'object' && !f.isList && f.type !== 'Json').map((f) => f.name)
  const orderBy = orderFields.map((n) => ({ [n]: 'asc' }))
  const validate = makeValidator(model, enums, Prisma)
  const idOf = (row) => orderFields.map((n) => `${n}=${describe(row[n])}`).join(', ')

  let count = 0
  let cursor
  for (;;) {
    const args = { take: batchSize, orderBy, ...(include && { include }) }
    if (key && cursor) Object.assign(args, { cursor, skip: 1 })
    else if (!key && count) args.skip = count
    const rows = await delegate.findMany(args)
    for (const row of rows) {
      const problem = validate(row)
      if (problem) throw new ReadError(`${model.name} row (${idOf(row)}): ${problem}`)
    }
    count += rows.length
    if (rows.length < batchSize) break
    if (key) cursor = cursorFor(key, rows[rows.length - 1])
  }
  for (const fields of uniqueCriteria(model)) await checkUnique(delegate, model, fields)
  const total = await delegate.count()
  if (total !== count) throw new ReadError(`${model.name}: read ${count} rows but count() says ${total}`)
  return count
}

async function readAll(bundle, opts) {
  const mod = await import(pathToFileURL(path.join(bundle, 'client', 'index.js')).href)
  const { PrismaClient, Prisma } = mod.default ?? mod
  // Full DMMF (from the same `prisma generate` run); the client's own
  // Prisma.dmmf only has names, kinds and types. Both must list the same models.
  const { models, enums } = JSON.parse(fs.readFileSync(path.join(bundle, 'dmmf.json'), 'utf8'))
  const runtimeModels = Prisma.dmmf.datamodel.models.map((m) => m.name).sort().join(',')
  if (runtimeModels !== models.map((m) => m.name).sort().join(',')) {
    throw new ReadError(`the client's models (${runtimeModels}) differ from the DMMF's`)
  }
  const { PrismaPg } = await import('@prisma/adapter-pg')
  const { connectionString, schema } = opts.conn
  const adapter = new PrismaPg({ connectionString, max: 4 }, schema ? { schema } : undefined)
  const prisma = new PrismaClient({ adapter, errorFormat: 'minimal' })
  const counts = {}
  let stage = `connect to ${redact(connectionString)}`
  try {
    await prisma.$queryRawUnsafe('SELECT 1')
    const enumMap = new Map(enums.map((e) => [e.name, e]))
    for (const model of models) {
      const rel = model.fields.filter((f) => f.kind === 'object').map((f) => f.name)
      stage = `read model ${model.name}${rel.length ? ` (include: ${rel.join(', ')})` : ''}`
      const t = Date.now()
      counts[model.name] = await readModel(prisma, Prisma, model, enumMap, opts.batchSize)
      log(`${model.name}: ${counts[model.name]} rows in ${Date.now() - t} ms`)
    }
  } catch (e) {
    const msg = e instanceof ReadError ? e.message : `${e?.code ? `[${e.code}] ` : ''}${e?.message ?? e}`
    const lines = msg.split('\n').map((l) => l.trim())
    const text = lines.filter((l) => l && !/^Invalid `.*` invocation:?$/.test(l)).join(' ')
    const meta = e?.meta && Object.keys(e.meta).length ? ` (meta: ${JSON.stringify(e.meta)})` : ''
    throw new ReadError(`${stage}: ${text}${meta}`)
  } finally {
    await prisma.$disconnect().catch(() => {})
  }
  return counts
}

// ---------------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  VERBOSE = opts.verbose
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prisma-read-all-'))
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.on(signal, () => {
      console.error(`read_all: error: interrupted by ${signal}`)
      if (!opts.keep) fs.rmSync(workDir, { recursive: true, force: true })
      process.exit(code)
    })
  }
  try {
    const started = Date.now()
    const bundle = generateClient(opts, workDir)
    const generated = Date.now()
    const counts = await readAll(bundle, opts)
    log(`generate ${generated - started} ms, read ${Date.now() - generated} ms`)
    const rows = Object.values(counts).reduce((a, b) => a + b, 0)
    process.stdout.write(JSON.stringify({ models: counts, rows }) + '\n')
  } finally {
    if (opts.keep) console.error(`read_all: kept ${workDir}`)
    else fs.rmSync(workDir, { recursive: true, force: true })
  }
}

process.on('unhandledRejection', (e) => {
  console.error(`read_all: error: unhandled: ${e?.stack ?? e}`)
  process.exit(1)
})

main().then(
  () => process.exit(0),
  (e) => {
    if (e instanceof UsageError) {
      console.error(`read_all: error: ${e.message} (see --help)`)
      process.exit(2)
    }
    console.error(`read_all: error: ${e instanceof ReadError ? e.message : (e?.stack ?? e)}`)
    process.exit(1)
  },
)
