// The Gemini peer for scripts/bench.sh: stream one reply with the official
// `@google/genai` npm package and write each chunk's text to stdout as it
// arrives.  bench.sh copies this file beside the node_modules it installed the
// package into, so the bare import below resolves there.  Base URL and key
// come from GEMINI_BASE_URL (ours ends in /v1beta, the SDK adds its API
// version itself) and GEMINI_API_KEY; the prompt is the arguments.
import { GoogleGenAI } from '@google/genai';

const ai = new GoogleGenAI({
  apiKey: process.env.GEMINI_API_KEY,
  httpOptions: { baseUrl: process.env.GEMINI_BASE_URL.replace(/\/v1beta\/?$/, '') },
});
const stream = await ai.models.generateContentStream({
  model: 'gemini-2.5-flash',
  contents: process.argv.slice(2).join(' ') || 'hi',
});
for await (const chunk of stream) {
  const text = chunk.text;
  if (text) process.stdout.write(text);
}
