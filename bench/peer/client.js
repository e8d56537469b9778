// The device side: PouchDB in memory replicating with the server at URL.
// Runs three scenarios, printing one JSON line after each and waiting for a line on
// stdin before the next (the caller reads the proxy's counters in between).
//   node client.js URL households.json edits.json
const fs = require('fs');
const readline = require('readline');
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));
const MemPouch = PouchDB.defaults({ adapter: 'memory' });

const [url, householdsFile, editsFile] = process.argv.slice(2);
const households = JSON.parse(fs.readFileSync(householdsFile, 'utf8'));
const edits = JSON.parse(fs.readFileSync(editsFile, 'utf8'));
const lines = readline.createInterface({ input: process.stdin });
// Lines may arrive before anyone waits for them: queue them.
let queued = 0;
let waiting = null;
lines.on('line', () => {
  if (waiting) {
    const w = waiting;
    waiting = null;
    w();
  } else {
    queued += 1;
  }
});
const next = () =>
  new Promise((resolve) => {
    if (queued > 0) {
      queued -= 1;
      resolve();
    } else {
      waiting = resolve;
    }
  });

async function timed(name, f) {
  const t = process.hrtime.bigint();
  const r = await f();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  process.stdout.write(JSON.stringify({ scenario: name, ms, docs: r }) + '\n');
  await next();
}

(async () => {
  // The remote through PouchDB's HTTP adapter (a string would use the memory default).
  const remote = new PouchDB(`${url}/census`);
  const phone = new MemPouch('phone');
  await phone.bulkDocs(households);
  await next();
  await timed('upload', async () => (await phone.replicate.to(remote)).docs_written);
  await timed('fresh_pull', async () => {
    const fresh = new MemPouch('fresh');
    return (await fresh.replicate.from(remote)).docs_written;
  });
  for (const e of edits) {
    const doc = await phone.get(e._id);
    await phone.put({ ...e, _rev: doc._rev });
  }
  // Push only, as the reference measurement did: this phone never pulled, and a first
  // pull would scan the whole changes feed.
  await timed('ten_edits', async () => (await phone.replicate.to(remote)).docs_written);
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
