/**
 * pino with secrets scrubbed: the bot token and interaction tokens (which appear in webhook URLs
 * inside Discord API errors) never reach a log line.
 */
import { pino, type Logger } from 'pino';

const WEBHOOK_TOKEN = /(webhooks\/\d+\/)[A-Za-z0-9_.-]{20,}/g;
const BOT_TOKEN_SHAPE = /[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}/g;

export function scrubber(secrets: string[]): (text: string) => string {
  const exact = secrets.filter((s) => s && s.length >= 8);
  return (text: string) => {
    let out = text.replace(WEBHOOK_TOKEN, '$1[token]').replace(BOT_TOKEN_SHAPE, '[token]');
    for (const secret of exact) out = out.split(secret).join('[token]');
    return out;
  };
}

export function createLogger(opts: { level: string; name: string; secrets: string[]; destination?: NodeJS.WritableStream }): Logger {
  const scrub = scrubber(opts.secrets);
  const scrubDeep = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (value instanceof Error) return { type: value.name, message: scrub(value.message), stack: value.stack ? scrub(value.stack) : undefined };
    if (depth < 4 && value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, /token/i.test(k) ? '[token]' : scrubDeep(v, depth + 1)]));
    return value;
  };
  return pino(
    {
      level: opts.level,
      base: { process: opts.name, pid: process.pid },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => scrubDeep(a)) as Parameters<typeof method>);
        },
      },
    },
    (opts.destination ?? process.stdout) as pino.DestinationStream,
  );
}
