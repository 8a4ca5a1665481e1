// Preloaded with `node --import` by the tracing tests: records every module the process loads
// (ES modules through a resolve hook, CommonJS through Module._load) and writes the list to
// RECORD_MODULES_FILE when the process exits.
import Module, { register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';

const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => seen.add(String(url)));
port1.unref();
register(new URL('./record-modules-hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });

const load = Module._load;
Module._load = function (request, parent, isMain) {
  try {
    seen.add(Module._resolveFilename(request, parent, isMain));
  } catch {
    // a builtin or unresolvable request: left to load to report
  }
  return load.apply(this, arguments);
};

process.on('exit', () => {
  if (process.env.RECORD_MODULES_FILE) writeFileSync(process.env.RECORD_MODULES_FILE, JSON.stringify([...seen]));
});
