// tokcount.mjs: the bench's peer driver, tiktoken (npm) in place of
// lib/tokenizer, with tokcount.c's interface:
//   node tokcount.mjs [-e ENCODING] [-n RUNS] [-t] FILE | -p TEXT
// Prints the token count (encode_ordinary, as tokenizer_count); -t adds the
// load time and the median of RUNS counts of the whole text on stderr.
// tiktoken is looked up in ${CHAT_BENCH_DIR:-~/.cache/chat-bench}.
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

let name = "o200k_base", runs = 1, timing = false, text = null, file = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const a = argv[i];
	if (a === "-e") name = argv[++i];
	else if (a === "-n") runs = Math.max(1, parseInt(argv[++i], 10) || 1);
	else if (a === "-t") timing = true;
	else if (a === "-p") text = argv[++i];
	else file = a;
}
if (text === null) {
	if (!file) { console.error("usage: node tokcount.mjs [-e ENCODING] [-n RUNS] [-t] FILE | -p TEXT"); process.exit(64); }
	text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
}
const dir = process.env.CHAT_BENCH_DIR || path.join(os.homedir(), ".cache", "chat-bench");
const t0 = performance.now();
const { get_encoding } = createRequire(path.join(dir, "node_modules", "index.js"))("tiktoken");
const enc = get_encoding(name);
const t1 = performance.now();
const ms = [];
let n = 0;
for (let r = 0; r < runs; r++) {
	const a = performance.now();
	n = enc.encode_ordinary(text).length;
	ms.push(performance.now() - a);
}
process.stdout.write(n + "\n");
if (timing) {
	ms.sort((a, b) => a - b);
	const med = ms[Math.floor(runs / 2)], bytes = Buffer.byteLength(text);
	console.error(`tokens=${n} bytes=${bytes} open_ms=${(t1 - t0).toFixed(3)} count_ms=${med.toFixed(3)} ` +
		`mb_s=${(bytes / 1e6 / (med / 1e3)).toFixed(2)}`);
}
enc.free();
