/**
 * Self-test of the fake's people-written messages with a real discord.js client: what a bot
 * without the Message Content intent receives (DMs, mentions and replies that ping it in full;
 * other server messages blank), intent filtering of DMs, replies with their referenced message,
 * and threads started from a message.
 */
import { ChannelType, Events, GatewayIntentBits, Partials, type Message } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginClient } from '../support/discord-client.ts';
import { FakeDiscord } from '../support/fake-discord.ts';

let discord: FakeDiscord;
let seeded: ReturnType<FakeDiscord['seedGuild']>;
beforeAll(async () => {
  discord = await FakeDiscord.start();
  seeded = discord.seedGuild();
});
afterAll(async () => {
  await discord.stop();
});

async function collect(intents: GatewayIntentBits[], act: () => void | Promise<void>, count: number): Promise<Message[]> {
  const client = await loginClient(discord, { intents, partials: [Partials.Channel] });
  try {
    const got: Message[] = [];
    client.on(Events.MessageCreate, (m) => got.push(m));
    await act();
    await discord.waitFor(() => got.length >= count || undefined, { timeout: 5000, message: `${count} messages` }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(client.errors).toEqual([]);
    return got;
  } finally {
    await client.destroy();
  }
}

describe('messages people write', () => {
  it('without Message Content: mentions, replies that ping and DMs in full; other server messages blank', async () => {
    const { text, alice, bob } = seeded;
    const mine = discord.messages.create([text.id, seeded.guild.id, discord.bot, null, null]);
    mine.content = 'a message of the bot';
    const got = await collect([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages], () => {
      discord.sendMessage(alice, text, 'hello bot', { mentionBot: true });
      discord.sendMessage(bob, text, 'just chatting');
      discord.sendMessage(alice, text, 'a reply', { replyTo: mine });
      discord.sendMessage(alice, text, 'a quiet reply', { replyTo: mine, ping: false });
      discord.sendMessage(bob, discord.world.dmWith(bob), 'in a DM');
    }, 5);
    const byContent = got.map((m) => m.content);
    expect(byContent).toEqual([`<@${discord.bot.id}> hello bot`, '', 'a reply', '', 'in a DM']);
    expect(got[0]!.mentions.users.has(discord.bot.id)).toBe(true);
    expect(got[2]!.reference?.messageId).toBe(mine.id);
    expect(got[2]!.mentions.users.has(discord.bot.id)).toBe(true);
    expect(got[4]!.channel.type).toBe(ChannelType.DM);
    expect(got[4]!.inGuild()).toBe(false);
  });

  it('DMs need the DirectMessages intent', async () => {
    const got = await collect([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], () => {
      discord.sendMessage(seeded.bob, discord.world.dmWith(seeded.bob), 'anyone there?');
      discord.sendMessage(seeded.bob, seeded.text, 'in the server', { mentionBot: true });
    }, 1);
    expect(got.map((m) => m.content)).toEqual([`<@${discord.bot.id}> in the server`]);
  });

  it('a thread started from a message has that message as its starter', async () => {
    const client = await loginClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] });
    try {
      const starter = discord.messages.create([seeded.text.id, seeded.guild.id, discord.bot, null, null]);
      starter.content = 'a result';
      const thread = seeded.guild.addThread(seeded.text, starter, 'talk');
      const channel = await discord.waitFor(() => client.channels.cache.get(thread.id), { message: 'THREAD_CREATE' });
      expect(channel.isThread()).toBe(true);
      if (!channel.isThread()) return;
      expect(channel.parentId).toBe(seeded.text.id);
      expect((await channel.fetchStarterMessage())?.content).toBe('a result');
    } finally {
      await client.destroy();
    }
  });
});
