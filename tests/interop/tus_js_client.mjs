// Interop: the npm tus-js-client against dccd's /tus/ (issue #3).
//  1. parallelUploads: 4 (four partial uploads, then a concatenation) fills a file record.
//  2. A chunked upload survives dccd being killed with SIGKILL mid-upload: dccd restarts on
//     the same port, the client HEADs for the offset and resumes, and the file verifies.
// usage: node tus_js_client.mjs DCCD PROFILES_DIR
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.join(path.dirname(new URL(import.meta.url).pathname), 'node', 'x.js'));
const tus = require('tus-js-client');

const [dccd, profiles] = process.argv.slice(2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-interop-tus-'));
const data = path.join(work, 'data');
const common = ['--data-dir', data, '--no-default-profiles', '--profiles', profiles];
let server = null;
let port = 0;

function fail(msg) {
  console.error('FAIL: ' + msg);
  try { console.error(fs.readFileSync(path.join(work, 'dccd.log'), 'utf8').split('\n').slice(-15).join('\n')); } catch {}
  if (server) server.kill('SIGKILL');
  process.exit(1);
}

function admin(...args) {
  return execFileSync(dccd, ['admin', ...args, ...common], { encoding: 'utf8' });
}

async function start() {
  const portFile = path.join(work, 'port');
  fs.rmSync(portFile, { force: true });
  const log = fs.openSync(path.join(work, 'dccd.log'), 'a');
  server = spawn(dccd, ['serve', ...common, '--listen', `127.0.0.1:${port}`, '--port-file', portFile],
                 { stdio: ['ignore', log, log] });
  for (let i = 0; i < 100 && !fs.existsSync(portFile); i++) await new Promise(r => setTimeout(r, 50));
  if (!fs.existsSync(portFile)) fail('dccd did not start');
  port = Number(fs.readFileSync(portFile, 'utf8').trim());
}

function basic(key) {
  return 'Basic ' + Buffer.from(`${key.access_key_id}:${key.secret_access_key}`).toString('base64');
}

async function post(auth, type, body) {
  const res = await fetch(`http://127.0.0.1:${port}/${type}`, {
    method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (res.status !== 201) fail(`POST /${type}: ${res.status} ${JSON.stringify(json)}`);
  return json['@graph'][0];
}

async function status(auth, id) {
  const res = await fetch(`http://127.0.0.1:${port}/${id}/`, { headers: { Authorization: auth } });
  return (await res.json()).status;
}

function upload(auth, file, bytes, options) {
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(bytes, {
      endpoint: `http://127.0.0.1:${port}/tus/`,
      headers: { Authorization: auth },
      metadata: { file: file.accession, filename: file.accession + '.bam' },
      onError: reject,
      onSuccess: () => resolve(u),
      ...options,
    });
    u.start();
  });
}

admin('init');
admin('add-user', '--email', 'admin@dcc.test', '--admin');
admin('add-user', '--email', 'alice@lab-a.test', '--lab', 'lab-a');
const adminAuth = basic(JSON.parse(admin('add-key', '--email', 'admin@dcc.test')));
const alice = basic(JSON.parse(admin('add-key', '--email', 'alice@lab-a.test')));
await start();

await post(adminAuth, 'award', { name: 'U1', project: 'ENCODE', rfa: 'ENCODE4', title: 'A' });
await post(adminAuth, 'lab', { name: 'lab-a', title: 'Lab A' });
await post(adminAuth, 'biosample_type', { name: 'k562', classification: 'cell line', term_id: 'EFO:1', term_name: 'K562' });
await post(alice, 'experiment', { lab: 'lab-a', award: 'U1', assay_term_name: 'ChIP-seq', biosample_ontology: 'k562', aliases: ['lab-a:e1'] });
const newFile = (bytes) => post(alice, 'file', {
  lab: 'lab-a', award: 'U1', dataset: 'lab-a:e1', file_format: 'bam', output_type: 'alignments',
  md5sum: crypto.createHash('md5').update(bytes).digest('hex'), file_size: bytes.length });

console.log('1. parallelUploads: 4 (concatenation)');
const a = crypto.randomBytes(32 << 20);
const fileA = await newFile(a);
await upload(alice, fileA, a, { parallelUploads: 4 }).catch(e => fail('parallel upload: ' + e));
if (await status(alice, fileA.accession) !== 'in progress') fail('file A did not verify');
console.log(`   ${fileA.accession} is in progress`);

console.log('2. SIGKILL of dccd mid-upload, restart on the same port, resume');
const b = crypto.randomBytes(64 << 20);
const fileB = await newFile(b);
let killed = false;
let resumedFrom = -1;
await upload(alice, fileB, b, {
  chunkSize: 4 << 20,
  retryDelays: [200, 500, 1000, 2000, 3000, 5000, 8000],
  onProgress: (sent) => {
    if (!killed && sent > (20 << 20)) {
      killed = true;
      server.kill('SIGKILL');
      setTimeout(() => start().catch(e => fail('restart: ' + e)), 300);
    } else if (killed && resumedFrom < 0) {
      resumedFrom = sent;
    }
  },
}).catch(e => fail('resumed upload: ' + e));
if (!killed) fail('the upload finished before it could be interrupted');
if (await status(alice, fileB.accession) !== 'in progress') fail('file B did not verify after the restart');
const heads = fs.readFileSync(path.join(work, 'dccd.log'), 'utf8').split('\n').filter(l => / HEAD \/tus\//.test(l) || / GET \/tus\//.test(l));
if (heads.length === 0) fail('the client never asked for the offset after the restart');
console.log(`   ${fileB.accession} is in progress; the client resumed near byte ${resumedFrom} after the restart`);

server.kill('SIGTERM');
fs.rmSync(work, { recursive: true, force: true });
console.log('2 passed, 0 failed');
