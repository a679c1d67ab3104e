// The Anthropic peer for scripts/bench.sh: stream one reply with the official
// `@anthropic-ai/sdk` npm package and write each text delta to stdout as it
// arrives.  bench.sh copies this file beside the node_modules it installed the
// package into, so the bare import below resolves there.  Base URL and key
// come from ANTHROPIC_BASE_URL (ours ends in /v1, the SDK adds it itself) and
// ANTHROPIC_API_KEY; the prompt is the arguments.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({
  baseURL: process.env.ANTHROPIC_BASE_URL.replace(/\/v1\/?$/, ''),
  apiKey: process.env.ANTHROPIC_API_KEY,
});
// The raw event stream (create with stream: true), not messages.stream(),
// which also builds a snapshot of the whole message: the lighter of the two.
const stream = await client.messages.create({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: process.argv.slice(2).join(' ') || 'hi' }],
  stream: true,
});
for await (const event of stream) {
  if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
    process.stdout.write(event.delta.text);
}
