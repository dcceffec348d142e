// pgtls real-client runner for node-postgres (pg).
//
// Batch contract (see ../README.md): one JSON case per stdin line, one JSON
// result per stdout line; a bad case never stops the run.
//
// Variants:
//   connstring              new Client({connectionString: 'postgresql://U:PW@H:P/DB?sslmode=M&sslrootcert=F'})
//   connstring-libpqcompat  same plus &uselibpqcompat=true
//   config                  new Client({host, port, user, password, database,
//                             ssl: {ca: readFileSync(F) if F, rejectUnauthorized: sslmode not in require/prefer/allow}})
//                           (sslmode disable -> ssl: false)
// `home` is applied per case as process.env.HOME (os.homedir() follows it).
'use strict';
const fs = require('fs');
const readline = require('readline');
const pg = require('pg');

const TIMEOUT_MS = 10000;

const path = require('path');

// Version from the package.json next to the package's entry point (some
// packages do not export './package.json').
function pkgVersion(name, from) {
  try {
    let dir = path.dirname(require.resolve(name, from ? { paths: [from] } : undefined));
    for (;;) {
      const f = path.join(dir, 'package.json');
      if (fs.existsSync(f)) {
        const j = JSON.parse(fs.readFileSync(f, 'utf8'));
        if (j.name === name) return j.version;
      }
      const up = path.dirname(dir);
      if (up === dir) return '?';
      dir = up;
    }
  } catch (e) {
    return '?';
  }
}

const LIBRARY = `pg ${pkgVersion('pg')} (pg-connection-string ${pkgVersion('pg-connection-string', path.dirname(require.resolve('pg')))}, ` +
  `node ${process.versions.node}, OpenSSL ${process.versions.openssl})`;

function errorText(err) {
  const parts = [];
  const seen = new Set();
  let e = err;
  while (e && !seen.has(e)) {
    seen.add(e);
    if (e instanceof Error || (e && typeof e === 'object' && 'message' in e)) {
      const msg = String(e.message);
      // `CODE: message`, unless the message already starts with the code (fs errors do).
      parts.push(e.code && !msg.startsWith(String(e.code)) ? `${e.code}: ${msg}` : msg);
    } else {
      parts.push(String(e));
    }
    e = e.cause;
  }
  return parts.join('\nCaused by: ');
}

function buildClientConfig(c) {
  const variant = c.variant || 'connstring';
  const host = c.host;
  const port = c.port == null ? 5432 : c.port;
  const db = c.dbname == null ? 'postgres' : c.dbname;
  if (variant === 'connstring' || variant === 'connstring-libpqcompat') {
    const q = [];
    if (c.sslmode != null) q.push('sslmode=' + encodeURIComponent(c.sslmode));
    if (c.sslrootcert != null) q.push('sslrootcert=' + encodeURIComponent(c.sslrootcert));
    if (variant === 'connstring-libpqcompat') q.push('uselibpqcompat=true');
    let auth = '';
    if (c.user != null) {
      auth = encodeURIComponent(c.user);
      if (c.password != null) auth += ':' + encodeURIComponent(c.password);
      auth += '@';
    }
    const cs = `postgresql://${auth}${host}:${port}/${encodeURIComponent(db)}` + (q.length ? '?' + q.join('&') : '');
    return { connectionString: cs, connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS };
  }
  if (variant === 'config') {
    let ssl;
    if (c.sslmode === 'disable') {
      ssl = false;
    } else {
      ssl = { rejectUnauthorized: !['require', 'prefer', 'allow'].includes(c.sslmode) };
      if (c.sslrootcert != null) ssl.ca = fs.readFileSync(c.sslrootcert);
    }
    return {
      host, port, user: c.user, password: c.password, database: db, ssl,
      connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS,
    };
  }
  throw new Error(`unknown node variant: ${variant}`);
}

async function runCase(c) {
  if (c.home != null) process.env.HOME = c.home;
  const client = new pg.Client(buildClientConfig(c));
  client.on('error', () => {}); // late socket errors must not kill the runner
  try {
    await client.connect();
    const r = await client.query('SELECT 1 AS one');
    if (!r.rows.length || r.rows[0].one !== 1) throw new Error('runner: SELECT 1 did not return 1');
  } finally {
    try {
      await Promise.race([client.end(), new Promise((res) => setTimeout(res, 2000))]);
    } catch (e) { /* ignore */ }
  }
}

function withTimeout(p, ms) {
  let t;
  return Promise.race([
    p,
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`runner: timed out after ${ms / 1000} s`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

function scrub(text, pw) {
  // Passwords shorter than 4 characters are not scrubbed (they would mangle the text).
  if (text == null || typeof pw !== 'string' || pw.length < 4) return text;
  let out = text.split(pw).join('********');
  const enc = encodeURIComponent(pw);
  if (enc !== pw) out = out.split(enc).join('********');
  return out;
}

process.on('uncaughtException', (e) => { process.stderr.write(`runner: uncaught: ${e && e.stack}\n`); });
process.on('unhandledRejection', (e) => { process.stderr.write(`runner: unhandled rejection: ${e && e.stack}\n`); });

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let id = null;
    let pw = null;
    let error = null;
    try {
      const c = JSON.parse(line);
      id = c.id === undefined ? null : c.id;
      pw = c.password;
      await withTimeout(runCase(c), TIMEOUT_MS + 5000);
    } catch (e) {
      error = errorText(e);
    }
    const out = { id, connects: error === null, error: scrub(error, pw), library: LIBRARY };
    await new Promise((res) => process.stdout.write(JSON.stringify(out) + '\n', res));
  }
  process.exit(0);
}

main();
