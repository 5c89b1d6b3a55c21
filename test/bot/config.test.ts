import { describe, expect, it } from 'vitest';
import { BotConfigSchema } from '../../src/bot/config.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789AB';

describe('bot configuration', () => {
  it('names every missing or invalid variable, and never prints a value', () => {
    let error: unknown;
    try {
      parseConfig(BotConfigSchema, { DISCORD_APPLICATION_ID: 'not-an-id', REDIS_URL: 'http://oops', WORKER_CONCURRENCY: 'lots', DEV_GUILD_ID: TOKEN });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/DISCORD_TOKEN: is missing: put your bot token in \.env/);
    expect(message).toMatch(/DISCORD_APPLICATION_ID: must be a Discord id/);
    expect(message).toMatch(/REDIS_URL: must start with redis:\/\//);
    expect(message).toMatch(/WORKER_CONCURRENCY/);
    expect(message).toMatch(/DEV_GUILD_ID/);
    expect(message).toMatch(/See \.env\.example/);
    expect(message).not.toContain(TOKEN);
  });

  it('accepts a minimal .env and fills defaults', () => {
    const config = parseConfig(BotConfigSchema, { DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: '123456789012345678', DEV_GUILD_ID: '' });
    expect(config.DEV_GUILD_ID).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.BOT_WORKERS).toBe(1);
    expect(config.MAX_QUEUE_LENGTH).toBe(50);
  });
});
