// The peer: @tus/server with @tus/file-store (the npm tus reference server), which stores
// bytes without computing any digest. usage: node tus_peer_server.mjs PORT DIR
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, '..', 'tests', 'interop', 'node', 'x.js'));
const { Server } = require('@tus/server');
const { FileStore } = require('@tus/file-store');
const [port, dir] = process.argv.slice(2);
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
http.createServer((req, res) => tus.handle(req, res)).listen(Number(port), '127.0.0.1', () => {
  console.log('ready');
});
