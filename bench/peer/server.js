// A CouchDB-protocol server (express-pouchdb over in-memory PouchDB) on loopback.
// Prints its port, then serves until stdin closes.
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));
const MemPouch = PouchDB.defaults({ adapter: 'memory' });
const express = require('express');
const app = express();
app.use('/', require('express-pouchdb')(MemPouch, { mode: 'minimumForPouchDB', inMemoryConfig: true }));
// PEER_HOST: the address to listen on (bench/link.sh: the hub's namespace).
const srv = app.listen(0, process.env.PEER_HOST || '127.0.0.1', () => {
  process.stdout.write(`port ${srv.address().port}\n`);
});
// Until stdin closes (bench/run.sh), or until killed (PEER_UNTIL_KILLED=1, bench/link.sh).
if (!process.env.PEER_UNTIL_KILLED) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
