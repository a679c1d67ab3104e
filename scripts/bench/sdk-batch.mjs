// The peer for scripts/bench/batch.sh: `chat-send -r --parallel P` written
// with the official `openai` npm package.  Reads prompt records
// ({"type":"prompt","id":...,"text":...}, one a line) from stdin, streams a
// reply for each with at most P requests in flight (a small promise pool on
// one client, as the SDK's docs suggest), and writes one line per record as
// it completes: {"type":"response","id":...,"text":...,"finish":...,
// "usage":{...}}, or {"type":"error","id":...,"message":...}.  Exits 1 when
// any record failed.  batch.sh copies this file beside the node_modules it
// installed the package into, so the bare import below resolves there.
// Base URL and key come from OPENAI_BASE_URL and OPENAI_API_KEY.
//   node sdk-batch.mjs [-p P] < prompts.ndjson
import OpenAI from 'openai';
import fs from 'node:fs';

let parallel = 1;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '-p' || argv[i] === '--parallel') parallel = parseInt(argv[++i], 10);
  else {
    process.stderr.write(`sdk-batch: unknown argument ${argv[i]}\n`);
    process.exit(64);
  }
}
if (!(parallel >= 1)) {
  process.stderr.write('sdk-batch: -p needs a number above 0\n');
  process.exit(64);
}

const records = [];
fs.readFileSync(0, 'utf8').split('\n').forEach((line, i) => {
  if (line.trim() === '') return;
  try {
    const r = JSON.parse(line);
    if (r.type !== 'prompt' || typeof r.text !== 'string') throw new Error('not a prompt record');
    records.push(r);
  } catch (e) {
    process.stderr.write(`sdk-batch: line ${i + 1}: ${e.message}\n`);
    process.exit(65);
  }
});

const client = new OpenAI({
  baseURL: process.env.OPENAI_BASE_URL,
  apiKey: process.env.OPENAI_API_KEY,
});

// One line per record, in one write, so lines never interleave.
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

async function one(r) {
  const stream = await client.chat.completions.create({
    model: r.model ?? 'gpt-4o-mini',
    messages: [
      ...(r.system ? [{ role: 'system', content: r.system }] : []),
      { role: 'user', content: r.text },
    ],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '', finish = null, usage = null;
  for await (const chunk of stream) {
    const c = chunk.choices[0];
    if (c?.delta?.content) text += c.delta.content;
    if (c?.finish_reason) finish = c.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  return {
    type: 'response', id: r.id, text, finish,
    usage: usage && { input: usage.prompt_tokens, output: usage.completion_tokens },
  };
}

let next = 0, failed = 0;
async function worker() {
  while (next < records.length) {
    const r = records[next++];
    try {
      out(await one(r));
    } catch (e) {
      failed++;
      out({ type: 'error', id: r.id, message: String(e?.message ?? e) });
    }
  }
}
await Promise.all(Array.from({ length: Math.min(parallel, records.length) }, worker));
process.exitCode = failed ? 1 : 0;
