#!/usr/bin/env node
// A minimal Prisma generator (the JSON-RPC protocol of @prisma/generator-helper:
// requests as JSON lines on stdin, responses as JSON lines on stderr) that
// writes the full DMMF datamodel Prisma hands to generators to its `output`
// path. read_all.mjs adds it next to prisma-client-js because the generated
// client's own `Prisma.dmmf` is a reduced runtime model (no isId, isList,
// isRequired, enum values, ...).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')

const respond = (id, result) => process.stderr.write(JSON.stringify({ jsonrpc: '2.0', id, result }) + '\n')
const fail = (id, e) =>
  process.stderr.write(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message: String(e?.stack ?? e), data: null } }) + '\n')

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let msg
  try {
    msg = JSON.parse(line)
  } catch {
    return
  }
  try {
    if (msg.method === 'getManifest') {
      respond(msg.id, { manifest: { prettyName: 'read_all DMMF dump', requiresEngines: [] } })
    } else if (msg.method === 'generate') {
      const out = msg.params.generator.output.value
      fs.mkdirSync(path.dirname(out), { recursive: true })
      fs.writeFileSync(out, JSON.stringify(msg.params.dmmf.datamodel))
      respond(msg.id, null)
    }
  } catch (e) {
    fail(msg.id, e)
  }
})
