// The peer for scripts/bench.sh: stream one reply with the official `openai`
// npm package and write each content delta to stdout as it arrives.
// bench.sh copies this file beside the node_modules it installed the package
// into, so the bare import below resolves there.  Base URL and key come from
// OPENAI_BASE_URL and OPENAI_API_KEY; the prompt is the arguments.
import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: process.env.OPENAI_BASE_URL,
  apiKey: process.env.OPENAI_API_KEY,
});
const stream = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: process.argv.slice(2).join(' ') || 'hi' }],
  stream: true,
  stream_options: { include_usage: true },
});
for await (const chunk of stream) {
  const text = chunk.choices[0]?.delta?.content;
  if (text) process.stdout.write(text);
}
