// tiktoken-vectors.mjs: write the tokenizer's reference vectors, the ids
// OpenAI's tiktoken (the npm package, WASM build of the Rust core) gives for
// o200k_base and cl100k_base, one JSON object a line:
//
//   {"name", "b64": input bytes, "special": 0|1, "o200k_base": [ids],
//    "cl100k_base": [ids], "decoded"?: base64 of what the ids decode to when
//    it differs from the input (ill-formed UTF-8)}
//   {"name", "fixture": path under the shared folder, "sha256": of the file,
//    "special": 0, "count": {enc: n}, "ids_sha256": {enc: sha256 of the ids
//    written in decimal and joined by ","}}
//
// The second kind is for texts that must not be copied into the project.
// Run from the project's top folder (needs tiktoken under the bench folder):
//   npm install --prefix ~/.cache/chat-bench tiktoken
//   node scripts/bench/tiktoken-vectors.mjs > tests/data/tokenizer-vectors.jsonl
// CHAT_BENCH_DIR overrides ~/.cache/chat-bench; CHAT_SHARED the shared folder
// (default ../shared).  Bytes that are not UTF-8 go through TextDecoder first
// (a leading byte order mark kept), as the C tokenizer documents.  Everything
// is seeded: reruns are identical.  For a longer soak, VECTORS_SEED and
// VECTORS_RANDOM (default 3000 random strings) give another, larger set, which
// the unit test reads from $CHAT_TOKENIZER_VECTORS.
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";

const benchDir = process.env.CHAT_BENCH_DIR || path.join(os.homedir(), ".cache", "chat-bench");
let tiktoken;
try {
	tiktoken = createRequire(path.join(benchDir, "node_modules", "index.js"))("tiktoken");
} catch (e) {
	console.error(`tiktoken-vectors: tiktoken is not installed in ${benchDir} ` +
		`(npm install --prefix ${benchDir} tiktoken): ${e.message}`);
	process.exit(1);
}
const NAMES = ["o200k_base", "cl100k_base"];
const enc = Object.fromEntries(NAMES.map((n) => [n, tiktoken.get_encoding(n)]));
const version = JSON.parse(fs.readFileSync(
	path.join(benchDir, "node_modules", "tiktoken", "package.json"), "utf8")).version;

const out = [];
// ignoreBOM keeps a leading U+FEFF as text (as Python's decode does) instead of dropping it
const lossy = (bytes) => new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
function vector(name, input, special = 0) {
	const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input);
	const text = lossy(bytes);
	const v = { name, b64: bytes.toString("base64"), special };
	for (const n of NAMES) {
		const ids = special ? enc[n].encode(text, "all") : enc[n].encode_ordinary(text);
		v[n] = Array.from(ids);
	}
	const back = Buffer.from(text, "utf8");
	if (!back.equals(bytes))
		v.decoded = back.toString("base64");
	out.push(JSON.stringify(v));
}

// --- hand-picked cases ------------------------------------------------------
const cases = {
	"empty": "",
	"english": "The quick brown fox jumps over the lazy dog. It's 3:45pm; we've got 12 minutes!",
	"english paragraph": "Tokenization splits text into pieces before byte-pair encoding merges " +
		"them.\nEach model family has its own vocabulary, so the same sentence costs a different " +
		"number of tokens depending on the encoding.\n\n  Indented line with trailing spaces   \n",
	"c code": "static int f(const char *s, size_t n)\n{\n\tfor (size_t i = 0; i < n; i++)\n\t\tif (s[i] == '\\n')\n" +
		"\t\t\treturn (int)i; /* found */\n\treturn -1;\n}\n",
	"python code": "def main(argv):\n    x = {'a': 1, \"b\": [2, 3]}\n    if x['a'] >= 1:\n        print(f\"{x!r}\")  # ok\n\n\nmain([])\n",
	"json": "{\"type\":\"prompt\",\"text\":\"hi\",\"n\":[1,2,3e10],\"ok\":true,\"nested\":{\"k\":null}}\n",
	"html": "<!DOCTYPE html>\n<html><body><p class=\"x\">Hi &amp; bye</p><br/></body></html>\r\n",
	"url and path": "See https://example.com/a/b?c=d&e=f#g or /usr/local/share/chat/o200k_base.bin //x/\n/\n",
	"chinese": "我们的工具在命令行里与人工智能对话。今天天气很好，我们去公园散步吧！",
	"japanese": "日本語のテキストは、ひらがな・カタカナ・漢字が混ざっています。ｶﾀｶﾅ　全角スペース",
	"korean": "안녕하세요, 세계! 한국어 문장은 띄어쓰기를 합니다.",
	"arabic": "مَرْحَبًا بِالْعَالَمِ! هذه جملة عربية، مع أرقام ١٢٣٤٥ وعلامات.",
	"hebrew": "שָׁלוֹם עוֹלָם, זה משפט בעברית.",
	"hindi": "नमस्ते दुनिया! यह हिन्दी का वाक्य है, जिसमें मात्राएँ और अंक १२३ हैं।",
	"thai": "สวัสดีชาวโลก ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ",
	"russian": "Привет, мир! ЭТО ПРЕДЛОЖЕНИЕ НА РУССКОМ, а это — нет.",
	"greek": "Γειά σου Κόσμε! ΑΥΤΌ ΕΊΝΑΙ ΕΛΛΗΝΙΚΆ. ᾈᾉᾊ ᾼ",
	"vietnamese": "Tiếng Việt có dấu: Người ta nói rằng đường đi khó.",
	"vietnamese decomposed": "Tie\u0302\u0301ng Vie\u0323\u0302t co\u0301 da\u0302\u0301u",
	"georgian armenian": "გამარჯობა მსოფლიო — Բարեւ աշխարհ",
	"tamil bengali": "வணக்கம் உலகம் — হ্যালো বিশ্ব",
	"amharic": "ሰላም ልዑል! ኢትዮጵያ ፲፪",
	"emoji": "I ❤️ 🍕! 👍🏽 👨‍👩‍👧‍👦 👩🏾‍💻 🏳️‍🌈 🇯🇵🇺🇸 1️⃣ #️⃣ 🫠🫶🏻",
	"combining marks": "e\u0301 a\u0308\u0304 Z\u0351\u0367\u0334a\u0310\u0320l\u0352\u0341g\u0315o\u0362 \u0301\u0302x \u20dd",
	"marks before capitals": "\u0301A \u0301Ab \u0301AB \u0308ab x\u0301Y z\u0301y",
	"titlecase": "ǅemal ǈjubljana ǋ ǲ DžAB ǅǅ ǈa ᾈᾉ",
	"modifier letters": "ʰello ˈstress ʲa ᵃᵇᶜ xʰʰy ー々〻 ｰ",
	"lo then lu": "中A中a中AB中ab あAい アa ʕAb ʕab",
	"numbers": "0 12 345 6789 12345678901234567890 3.14159 1,000,000 $100 ²³ ½¾ Ⅻ ⅷ ١٢٣ ०१२ 〇 ①② １２３ 𝟏𝟐",
	"digit runs": "1234567 a1234b 12a34 1 2 3\n456\t7890",
	"contractions": "don't DON'T I'm I'M you're YOU'RE we've WE'VE he'll HE'LL she'd SHE'D it's IT'S " +
		"'s 'S 'Ll 'lL 'rE 'Ve 'M 'D 'T' x'ſ I'ſ 'ſ ' '' 'sss can’t rock'n'roll 'd'd",
	"contractions after digits and marks": "1's 2'T é's e\u0301's 中's ǅ's ʰ's _'s .'s",
	"whitespace runs": "a  b   c    d\t\te \t \tf\n\ng\r\nh\r\n\r\ni \n j  \n  k   ",
	"trailing spaces": "end with spaces   ",
	"leading spaces": "   start with spaces",
	"only spaces": "     ",
	"newlines": "\n\n\n",
	"space newline mix": " \n \n \n",
	"crlf": "line one\r\nline two\r\n\r\n",
	"tabs": "\t\tx\t\t\ty\t",
	"unicode spaces": "a\u00a0b\u00a0\u00a0c d\u3000e\u3000\u3000f\u2003g\u2009h\u202fi\u205fj\u1680k\u2028l\u2029m\u0085n",
	"unicode space runs": "\u3000\u3000x \u00a0y\u00a0 z\u2000\u2001\u2002",
	"not whitespace": "a\u200bb\ufeffc\u2060d\u180ee",
	"byte order mark": "\ufeffBOM first",
	"vertical tab form feed": "a\x0bb\x0cc\x0b\x0c d",
	"nul": "a\0b\0\0c",
	"control chars": "\x01\x02 \x7f\x1b[31mred\x1b[0m",
	"punctuation runs": "... !!!\n\n?!/\n/ <<<>>> a.b.c — «quote» ((x)) /*\n*/ foo/\nbar //\n",
	"punct then newlines": "end.\n\nnext:\r\n\r\nlast!\n",
	"space punct": " ( ) . , ;; :: --- ___ \"'\" `x`",
	"slashes": "a/b//c///\n/\n//d /e",
	"special tokens as text": "<|endoftext|> hello <|endofprompt|> <|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>z",
	"special lookalikes": "<|endoftext <|endoftext|<|endoftext|>|> <||> <|im_start|>",
	"math": "∀x∈ℝ: x² ≥ 0 ⇒ ∑ᵢ aᵢ ≠ ∞; ∫₀¹ f(x) dx ≈ 0.5",
	"fullwidth": "ＡＢＣａｂｃ！？　１２３",
	"new in unicode 15.1 and 16.0": "\u{2EBF0}\u{2EBF1}'s \u{10D4A}A \u{1E5D0}x \u{11380}y ʕ 𮯰a",
	"unassigned and private use": "\u{E0080}'s \u{10FFFD} \u{F0000}x \uE000\uF8FF \u{323B0}",
	"long s and kelvin": "ſtop ſ'ſ IT'ſ \u212A'K \u212Aelvin",
};
for (const [name, text] of Object.entries(cases))
	vector(name, text);

// special tokens recognised
const specials = {
	"special alone": "<|endoftext|>",
	"special between words": "hello<|endoftext|>world",
	"special after spaces": "text   <|endoftext|>  more   ",
	"special after newline spaces": "a \n  <|endofprompt|>\n",
	"fim": "<|fim_prefix|>def f():<|fim_suffix|>\n    return 1<|fim_middle|>",
	"special nested": "<|<|endoftext|>|><|endoftext|><|endoftext|>",
	"special partial": "<|endoftext <|endofprompt|> <|fim_middle",
	"special with unicode": "日本<|endoftext|>語 ✓<|endofprompt|>é",
};
for (const [name, text] of Object.entries(specials)) {
	vector(name + " (allowed)", text, 1);
	vector(name + " (as text)", text, 0);
}

// long runs: long pieces take the heap merge in C
const long = {
	"a x 5000": "a".repeat(5000),
	"A x 3000": "A".repeat(3000),
	"spaces x 5000": " ".repeat(5000),
	"spaces x 4000 then word": " ".repeat(4000) + "word",
	"newlines x 3000": "\n".repeat(3000),
	"tabs x 2000": "\t".repeat(2000),
	"ab x 3000": "ab".repeat(3000),
	"dashes x 5000": "-".repeat(5000),
	"digits x 3001": "1".repeat(3001),
	"cjk x 3000": "中".repeat(3000),
	"emoji x 1000": "😀".repeat(1000),
	"dot space x 2000": ". ".repeat(2000),
	"nbsp x 2000": "\u00a0".repeat(2000),
	"mark x 2000": "a" + "\u0301".repeat(2000),
};
for (const [name, text] of Object.entries(long))
	vector(name, text);

// ill-formed UTF-8: decoded with U+FFFD replacements first
const bad = {
	"lone ff": [0xff],
	"ff inside": [0x61, 0x62, 0xff, 0x63],
	"bad continuation": [0xc3, 0x28, 0x61],
	"truncated 3-byte at end": [0x61, 0xe2, 0x82],
	"truncated 4-byte then space": [0xf0, 0x9f, 0x98, 0x20, 0x78],
	"surrogate": [0xed, 0xa0, 0x80, 0x61],
	"overlong slash": [0xc0, 0xaf, 0x2f],
	"above 10ffff": [0xf4, 0x90, 0x80, 0x80],
	"continuations": [0x80, 0x80, 0xbf, 0x20, 0x80],
	"f5 lead": [0xf5, 0x80, 0x80, 0x80],
	"e0 80": [0xe0, 0x80, 0x80],
	"mixed valid and not": [...Buffer.from("héllo "), 0xe4, 0xb8, ...Buffer.from("世界 "), 0xfe, 0xf0, 0x9f, 0x98, 0x80],
	"bad bytes in word": [...Buffer.from("don"), 0xff, ...Buffer.from("'t stop")],
};
for (const [name, bytes] of Object.entries(bad))
	vector("ill-formed: " + name, bytes);

// --- random strings, from a fixed seed --------------------------------------
let seed = parseInt(process.env.VECTORS_SEED || "0x5eed1234");
function rnd() {    // mulberry32
	seed = (seed + 0x6d2b79f5) >>> 0;
	let t = seed;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const span = (lo, hi) => () => String.fromCodePoint(lo + Math.floor(rnd() * (hi - lo + 1)));
const one = (list) => () => pick(list);
const buckets = [
	[8, span(0x61, 0x7a)], [5, span(0x41, 0x5a)], [3, span(0x30, 0x39)],
	[4, one([..."!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~"])],
	[6, one([" ", " ", " ", "\t", "\n", "\r", "\r\n", "  "])],
	[4, one(["'", "'s", "'S", "'t", "'re", "'VE", "'m", "'ll", "'LL", "'d", "'ſ", "'x", "’"])],
	[2, span(0xc0, 0xff)], [2, span(0x100, 0x17f)],
	[2, one(["ǅ", "ǈ", "ǋ", "ǲ", "ᾈ", "ᾏ", "ᾼ", "ῌ"])],
	[2, one([..."ʰʱʲˈˌːˑᵃᵇᶜ々〻ーｰ", "\u02c6", "\u1d2c", "\ua015"])],
	[2, span(0x4e00, 0x9fff)], [1, span(0x3041, 0x3096)], [1, span(0x30a1, 0x30fa)], [1, span(0xac00, 0xd7a3)],
	[1, span(0x627, 0x64a)], [1, span(0x5d0, 0x5ea)], [1, span(0xe01, 0xe30)], [1, span(0x905, 0x939)],
	[1, span(0x410, 0x44f)], [1, span(0x391, 0x3c9)], [1, span(0x1200, 0x1248)],
	[3, span(0x300, 0x36f)], [1, span(0x93e, 0x94d)], [1, span(0x64b, 0x652)], [1, one(["\u0e31", "\u0e34", "\u0e47"])],
	[1, span(0x20d0, 0x20f0)], [1, span(0xfe00, 0xfe0f)],
	[2, one([..."²³¹¼½¾ⅠⅫⅷ〇①⑳", ..."٠١٢٣٤٥٦٧٨٩", ..."०१२३", ..."１２３", "𝟎", "𝟗"])],
	[2, one(["\u00a0", "\u3000", "\u2003", "\u2009", "\u202f", "\u205f", "\u1680", "\u2028", "\u2029", "\u0085",
		"\x0b", "\x0c", "\u200b", "\ufeff", "\u180e"])],
	[2, span(0x1f300, 0x1f64f)], [1, span(0x1f900, 0x1f9ff)],
	[1, one(["\u200d", "\ufe0f", "\u{1f3fb}", "\u{1f3fd}", "\u{1f1ef}", "\u{1f1f5}", "\u20e3"])],
	[1, span(0x2190, 0x22ff)], [1, one([..."“”‘’«»–—…•€£¥"])],
	[1, span(0x2eb00, 0x2ee5d)], [1, span(0x10d40, 0x10d8f)], [1, span(0x1e5d0, 0x1e5ff)], [1, span(0x11380, 0x113ff)],
	[1, one(["ʕ", "\u0295", "\u{e0080}", "\u{10fffd}"])],
	[1, () => { let c; do c = Math.floor(rnd() * 0x110000); while (c >= 0xd800 && c < 0xe000); return String.fromCodePoint(c); }],
	[1, one(["<|endoftext|>", "<|endofprompt|>", "<|fim_prefix|>", "<|", "|>", "<|fim_suffix|>", "<|fim_middle|>"])],
];
const total = buckets.reduce((s, b) => s + b[0], 0);
function piece() {
	let r = rnd() * total;
	for (const [w, f] of buckets)
		if ((r -= w) < 0)
			return f();
	return "x";
}
function randomText() {
	const n = rnd() < 0.9 ? 1 + Math.floor(rnd() * 24) : 25 + Math.floor(rnd() * 200);
	let s = "";
	for (let i = 0; i < n; i++)
		s += piece();
	return s;
}
const nrandom = parseInt(process.env.VECTORS_RANDOM || "3000", 10);
for (let i = 0; i < nrandom; i++)
	vector(`random ${i}`, randomText());
for (let i = 0; i < nrandom / 10; i++)
	vector(`random special ${i}`, randomText(), 1);
for (let i = 0; i < nrandom / 10; i++) {    // random bytes, mostly ill-formed
	const n = 1 + Math.floor(rnd() * 16), b = [];
	for (let k = 0; k < n; k++)
		b.push(rnd() < 0.5 ? 0x80 + Math.floor(rnd() * 0x80) : pick([0x20, 0x61, 0x27, 0x73, 0x0a, 0x31, 0xc3, 0xe2, 0xf0]));
	vector(`random bytes ${i}`, b);
}

// --- texts in the shared folder, by path and digest only --------------------
const shared = process.env.CHAT_SHARED || path.join("..", "shared");
function walk(dir) {
	let files = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)) {
		const p = path.join(dir, e.name);
		if (e.isDirectory())
			files = files.concat(walk(p));
		else if (e.isFile())
			files.push(p);
	}
	return files;
}
const fixtures = path.join(shared, "fixtures");
if (fs.existsSync(fixtures)) {
	for (const file of walk(fixtures)) {
		const bytes = fs.readFileSync(file), text = lossy(bytes);
		const v = { name: "fixture " + path.relative(shared, file), fixture: path.relative(shared, file),
			sha256: createHash("sha256").update(bytes).digest("hex"), special: 0, count: {}, ids_sha256: {} };
		for (const n of NAMES) {
			const ids = Array.from(enc[n].encode_ordinary(text));
			v.count[n] = ids.length;
			v.ids_sha256[n] = createHash("sha256").update(ids.join(",")).digest("hex");
		}
		out.push(JSON.stringify(v));
	}
} else
	console.error(`tiktoken-vectors: ${fixtures} not found: no fixture vectors`);

process.stdout.write(out.join("\n") + "\n");
console.error(`tiktoken-vectors: ${out.length} vectors from tiktoken ${version}`);
