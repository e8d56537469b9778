// A CouchDB-protocol server (express-pouchdb over in-memory PouchDB) on loopback.
// Prints its port, then serves until stdin closes.
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));
const MemPouch = PouchDB.defaults({ adapter: 'memory' });
const express = require('express');
const app = express();
app.use('/', require('express-pouchdb')(MemPouch, { mode: 'minimumForPouchDB', inMemoryConfig: true }));
const srv = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${srv.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
