// Uploads one file with tus-js-client and prints the seconds it took.
// usage: node tus_upload.mjs ENDPOINT FILE [AUTH_HEADER] [RECORD_ID]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, '..', 'tests', 'interop', 'node', 'x.js'));
const tus = require('tus-js-client');
const [endpoint, file, auth, record] = process.argv.slice(2);
const size = fs.statSync(file).size;
const start = process.hrtime.bigint();
await new Promise((resolve, reject) => {
  const u = new tus.Upload(fs.createReadStream(file, { highWaterMark: 4 << 20 }), {
    endpoint,
    uploadSize: size,
    chunkSize: 256 << 20,  // the stream source needs one; large enough to be one PATCH per 256 MiB
    headers: auth ? { Authorization: auth } : {},
    metadata: record ? { file: record, filename: path.basename(file) } : { filename: path.basename(file) },
    retryDelays: null,
    onError: reject,
    onSuccess: resolve,
  });
  u.start();
});
console.log((Number(process.hrtime.bigint() - start) / 1e9).toFixed(3));
