/**
 * The buttons under a result, through the fake Discord with the real bot, queue and renderer:
 * MIDI, Variation, Re-render (menus), Extend (lengths); after a bot restart; after the stored
 * result expired (rebuilt from the posted MIDI file); and the upload-limit path.
 */
import tonejs from '@tonejs/midi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTRUMENT_PRESETS } from '../../src/midi/transform.ts';
import { restartBot, stopHarness } from '../bot/restartBot.ts';
import { startHarness, type Harness } from '../support/botHarness.ts';
import type { FakeMessage, InteractionRecord } from '../support/fake-discord.ts';
import { probe } from '../support/media.ts';

let h: Harness;
let result: FakeMessage;
let resultId: string;

const fields = (m: FakeMessage) => Object.fromEntries(((m.embeds[0]?.fields ?? []) as { name: string; value: string }[]).map((f) => [f.name, f.value]));
const description = (m: FakeMessage) => String((m.embeds[0] as { description?: string } | undefined)?.description ?? '');
const idOf = (m: FakeMessage, prefix: string) => {
  const id = m.customIds.find((c) => c.startsWith(prefix));
  if (!id) throw new Error(`no component ${prefix}… on message (has ${m.customIds.join(', ')})`);
  return id;
};
/** The finished reply of a job; fails at once, saying why, if the bot refused it in a follow-up. */
async function finished(it: InteractionRecord): Promise<FakeMessage> {
  const done = await h.discord.waitFor(() => it.followups.find((m) => m.ephemeral) ?? (it.original && (it.original.attachments.length >= 2 || /⚠️/.test(it.original.content)) ? it.original : undefined), {
    timeout: 60_000,
    message: () => `the result of ${it.describe()} (now: ${JSON.stringify(it.original?.content)})`,
  });
  if (done !== it.original) throw new Error(`refused: ${done.content}`);
  return done;
}
const notes = (bytes: Buffer) => new tonejs.Midi(bytes).tracks.map((t) => ({ name: t.name, channel: t.channel, program: t.instrument.number, notes: t.notes.map((n) => [n.midi, n.ticks, n.durationTicks]) }));

beforeAll(async () => {
  // Many button presses by one member in a minute: lift the per-minute limit (tested in test/queue).
  h = await startHarness({ USER_REQUESTS_PER_MINUTE: '100' });
  const it = await h.discord.invoke('compose', { style: 'synthwave', mood: 'energetic', duration: '4', tempo: 100, key: 'A minor', seed: 4242 }, h.seeded.alice);
  result = await it.waitForOriginal((m) => m.attachments.length === 3, 60_000);
  resultId = idOf(result, 'ts:var:').split(':')[2]!;
});
afterAll(async () => {
  await stopHarness(h);
});

describe('buttons under a result', () => {
  it('MIDI: answers only the presser, with the .mid attached', async () => {
    const click = await h.discord.click(result, `ts:midi:${resultId}`, h.seeded.bob);
    const reply = await click.waitForOriginal((m) => m.attachments.length === 1);
    expect(click.ephemeral).toBe(true);
    expect(reply.attachments[0]!.filename).toMatch(/\.mid$/);
    expect(reply.attachments[0]!.data.equals(result.attachment('.mid').data)).toBe(true);
    expect(h.discord.messagesIn(h.seeded.text)).not.toContain(reply);
  });

  it('Variation: the same request with a new seed, as a new public reply', async () => {
    const click = await h.discord.click(result, `ts:var:${resultId}`);
    expect((await click.waitForCallback()).type).toBe(5);
    const variation = await finished(click);
    expect(click.ephemeral).toBe(false);
    const f = fields(variation);
    expect(f).toMatchObject({ Style: 'synthwave', Mood: 'energetic', Key: 'A minor', Tempo: '100 bpm', Length: '0:04' });
    expect(f.Seed).not.toBe('4242');
    expect(variation.attachment('.mid').data.equals(result.attachment('.mid').data)).toBe(false);
    expect(Math.abs((await probe(variation.attachment('.ogg').data, '.ogg')).durationSec - 4)).toBeLessThanOrEqual(0.02);
  });

  it('Re-render: menus change tempo, key and instruments; the same notes are rendered again', async () => {
    const click = await h.discord.click(result, `ts:rr:${resultId}`);
    const panel = await click.waitForOriginal((m) => m.customIds.length === 5);
    expect(click.ephemeral).toBe(true);
    expect(panel.component(idOf(panel, `ts:rr:${resultId}:go:`))!.disabled).toBe(true); // nothing chosen yet

    for (const [field, value] of [['t', '80'], ['k', '5'], ['i', 'piano']] as const) {
      const pick = await h.discord.select(panel, idOf(panel, `ts:rr:${resultId}:${field}:`), [value]);
      expect((await pick.waitForCallback()).type).toBe(7); // the panel updates in place
    }
    const go = idOf(panel, `ts:rr:${resultId}:go:`);
    expect(go).toBe(`ts:rr:${resultId}:go:80.5.piano.-`);
    expect(go.length).toBeLessThanOrEqual(100);

    const render = await h.discord.click(panel, go);
    const out = await finished(render);
    expect(render.ephemeral).toBe(false);
    expect(fields(out)).toMatchObject({ Key: 'D minor', Tempo: '80 bpm', Length: '0:05', Seed: '4242' });
    expect(description(out)).toMatch(/same notes \(nothing composed again\).*tempo 80% \(80 bpm\), so it now lasts 0:05 instead of 0:04.*key D minor.*instruments: Piano/);
    expect(Math.abs((await probe(out.attachment('.ogg').data, '.ogg')).durationSec - 5)).toBeLessThanOrEqual(0.02);

    const before = notes(result.attachment('.mid').data);
    const after = notes(out.attachment('.mid').data);
    const piano = INSTRUMENT_PRESETS.find((p) => p.id === 'piano')!.programs;
    const roleProgram: Record<string, number | undefined> = { Lead: piano.lead, Chords: piano.harmony, Bass: piano.bass, Pad: piano.pad, Arpeggio: piano.arp };
    expect(after.map((t) => t.name)).toEqual(before.map((t) => t.name));
    after.forEach((t, i) => {
      const drums = t.channel === 9;
      expect(t.notes).toEqual(before[i]!.notes.map(([p, tick, d]) => [drums ? p : p! + 5, tick, d]));
      if (!drums) expect(t.program).toBe(roleProgram[t.name]);
    });
    expect(new tonejs.Midi(out.attachment('.mid').data).header.tempos[0]!.bpm).toBeCloseTo(80, 3);
  });

  it('Extend: offers longer lengths; the longer piece opens with the original note for note', async () => {
    const click = await h.discord.click(result, `ts:ext:${resultId}`);
    const panel = await click.waitForOriginal((m) => m.customIds.length > 0);
    expect(click.ephemeral).toBe(true);
    expect(panel.content).toMatch(/note for note/);
    const lengths = panel.customIds.map((c) => Number(c.split(':')[3]));
    expect(lengths.length).toBeGreaterThan(0);
    expect(lengths.every((s) => s > 4)).toBe(true);
    const target = lengths[0]!;

    const pick = await h.discord.click(panel, `ts:ext:${resultId}:${target}`);
    const out = await finished(pick);
    expect(pick.ephemeral).toBe(false);
    expect(fields(out)).toMatchObject({ Key: 'A minor', Tempo: '100 bpm', Seed: '4242' });
    expect(description(out)).toMatch(/Extended .* from 0:04 to .*the first \d+ bars are the original, note for note/);
    expect(Math.abs((await probe(out.attachment('.ogg').data, '.ogg')).durationSec - target)).toBeLessThanOrEqual(0.02);

    const original = new tonejs.Midi(result.attachment('.mid').data);
    const extended = new tonejs.Midi(out.attachment('.mid').data);
    const splice = original.header.meta.find((m) => m.type === 'marker' && m.text === 'ending')!.ticks;
    for (const track of original.tracks) {
      const longer = extended.tracks.find((t) => t.name === track.name)!;
      const kept = (t: typeof track) => t.notes.filter((n) => n.ticks < splice).map((n) => [n.midi, n.ticks, n.durationTicks]);
      expect(kept(longer)).toEqual(kept(track));
      expect(longer.instrument.number).toBe(track.instrument.number);
    }
    expect(extended.tracks.flatMap((t) => t.notes).filter((n) => n.ticks >= splice).length).toBeGreaterThan(20);
  });

  it('keep working after a bot restart (state is in the custom ids and Redis)', async () => {
    const panelClick = await h.discord.click(result, `ts:rr:${resultId}`);
    const panel = await panelClick.waitForOriginal((m) => m.customIds.length === 5);
    await restartBot(h, { restartRedis: true });

    const midi = await h.discord.click(result, `ts:midi:${resultId}`);
    expect((await midi.waitForOriginal((m) => m.attachments.length === 1)).attachments[0]!.data.equals(result.attachment('.mid').data)).toBe(true);

    // A panel opened before the restart still works: pick a tempo, then render.
    const pick = await h.discord.select(panel, idOf(panel, `ts:rr:${resultId}:t:`), ['125']);
    expect((await pick.waitForCallback()).type).toBe(7);
    await (await h.discord.select(panel, idOf(panel, `ts:rr:${resultId}:s:`), ['timgm6mb'])).waitForCallback();
    const render = await h.discord.click(panel, idOf(panel, `ts:rr:${resultId}:go:`));
    const out = await finished(render);
    expect(fields(out)).toMatchObject({ Tempo: '125 bpm', Key: 'A minor' });
    expect(description(out)).toMatch(/SoundFont timgm6mb/);
    const rerendered = out.customIds.find((c) => c.startsWith('ts:rr:'))!.split(':')[2]!;
    expect((await h.bot.ctx.results.getSource(rerendered))!.render).toEqual({ format: 'ogg', soundfont: 'timgm6mb' });
  });

  it('rebuild the piece from the posted MIDI file once the stored result has expired', async () => {
    const redis = h.redis.client();
    expect(await redis.del(`tunesmith:result:${resultId}`)).toBe(1);

    const midi = await h.discord.click(result, `ts:midi:${resultId}`);
    expect((await midi.waitForOriginal((m) => m.attachments.length === 1)).attachments[0]!.data.equals(result.attachment('.mid').data)).toBe(true);
    const variation = await finished(await h.discord.click(result, `ts:var:${resultId}`));
    expect(fields(variation)).toMatchObject({ Style: 'synthwave', Key: 'A minor', Tempo: '100 bpm', Length: '0:04' });

    const click = await h.discord.click(result, `ts:ext:${resultId}`);
    const panel = await click.waitForOriginal((m) => m.customIds.length > 0);
    const target = Number(panel.customIds[0]!.split(':')[3]);
    const out = await finished(await h.discord.click(panel, panel.customIds[0]!));
    expect(fields(out)).toMatchObject({ Tempo: '100 bpm', Key: 'A minor' });
    expect(Math.abs((await probe(out.attachment('.ogg').data, '.ogg')).durationSec - target)).toBeLessThanOrEqual(0.02);
    expect(h.logs.some((l) => l.includes('rebuilt the source from the message'))).toBe(true);

    // Gone from everywhere (and the panel has no MIDI file): a friendly "too old".
    await redis.del(`tunesmith:source:${resultId}`);
    const late = await h.discord.click(panel, panel.customIds[0]!);
    const said = await late.waitForOriginal((m) => !m.loading && m.content.length > 0);
    expect(late.ephemeral).toBe(true);
    expect(said.content).toMatch(/too old/);
  });

});

describe('upload limits', () => {
  it('posts a smaller file, and says so, when the audio would exceed the server limit', async () => {
    const { guild } = h.seeded;
    guild.uploadLimitBytes = 80 * 1024;
    try {
      // Known limit: the interaction says it (attachment_size_limit); the re-render job carries it.
      const click = await h.discord.click(result, `ts:rr:${resultId}`);
      const panel = await click.waitForOriginal((m) => m.customIds.length === 5);
      await (await h.discord.select(panel, idOf(panel, `ts:rr:${resultId}:t:`), ['80'])).waitForCallback(); // slower = longer = bigger
      const render = await h.discord.click(panel, idOf(panel, `ts:rr:${resultId}:go:`));
      const out = await finished(render);
      expect(description(out)).toMatch(/would exceed this server's upload limit \(80 KiB\), so I used a lower bitrate \(\d+ kbps\)/);
      const ogg = out.attachment('.ogg');
      expect(ogg.size).toBeLessThan(80 * 1024);
      expect((await probe(ogg.data, '.ogg')).codecName).toBe('opus');

      // A /compose carries the limit Discord states on its interaction too. (The 413-and-retry path
      // for an unknown limit is covered against a stubbed REST in test/bot/delivery.test.ts.)
      const it = await h.discord.invoke('compose', { style: 'synthwave', mood: 'energetic', duration: '6', tempo: 100, seed: 77 }, h.seeded.bob);
      const final = await finished(it);
      expect(final.attachments.reduce((n, a) => n + a.size, 0)).toBeLessThan(80 * 1024);
      expect(final.attachment('.ogg').size).toBeGreaterThan(0);
      expect(description(final)).toMatch(/upload limit/);
      expect(h.discord.rest.calls.some((c) => c.status === 413 && c.path.includes(it.token))).toBe(false);
    } finally {
      guild.uploadLimitBytes = 10 * 1024 * 1024;
    }
  });
});

describe('afterwards', () => {
  it('left the fake with nothing unimplemented called and no token in the logs', () => {
    expect(h.discord.rest.unimplemented).toEqual([]);
    const all = h.logs.join('\n');
    expect(all).not.toContain(h.env.DISCORD_TOKEN);
    expect(all).not.toMatch(/webhooks\/\d+\/[A-Za-z0-9_-]{20,}/);
  });
});
