/**
 * /verify, /about and /license through the fake Discord with the real bot, queue and renderer:
 * a posted result verifies as made here and unmodified; a changed byte, a picture, a truncated
 * Ogg and garbage MIDI each get their plain answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopHarness } from '../bot/restartBot.ts';
import { startHarness, type Harness } from '../support/botHarness.ts';
import type { FakeMessage } from '../support/fake-discord.ts';

let h: Harness;
let result: FakeMessage;

const embedOf = (m: FakeMessage) => m.embeds[0] as { title?: string; description?: string; fields?: { name: string; value: string }[] };

async function verify(filename: string, data: Buffer) {
  const it = await h.discord.invoke('verify', { file: { filename, data } }, h.seeded.alice);
  const reply = await it.waitForOriginal((m) => m.embeds.length > 0 || /❔/.test(m.content), 60_000);
  return { title: embedOf(reply)?.title ?? '', text: `${reply.content}\n${embedOf(reply)?.description ?? ''}\n${(embedOf(reply)?.fields ?? []).map((f) => f.value).join('\n')}` };
}

beforeAll(async () => {
  h = await startHarness({ USER_REQUESTS_PER_MINUTE: '100' });
  const it = await h.discord.invoke('compose', { style: 'jazz', mood: 'calm', duration: '4', seed: 77 }, h.seeded.alice);
  result = await it.waitForOriginal((m) => m.attachments.length === 3, 60_000);
}, 120_000);
afterAll(async () => {
  await stopHarness(h);
});

describe('/verify', () => {
  it('a posted audio file and its MIDI: made here, unmodified, composed again to the same MIDI', async () => {
    for (const ext of ['.ogg', '.mid', '.png']) {
      const a = result.attachment(ext);
      const answer = await verify(a.filename, a.data);
      expect(answer.title).toBe('✅ Made here, unmodified');
      expect(answer.text).toMatch(/Made by this Tunesmith instance on \d{4}-\d\d-\d\d from jazz, calm, 4 s, seed 77, unmodified/);
      if (ext !== '.png') expect(answer.text).toMatch(/same MIDI bytes/);
    }
  });

  it('a changed byte is caught; a picture, a truncated Ogg and garbage MIDI get a plain answer', async () => {
    const ogg = Buffer.from(result.attachment('.ogg').data);
    ogg[ogg.length - 500]! ^= 0x04;
    const changed = await verify('changed.ogg', ogg);
    expect(changed.title).toBe('⚠️ Modified after it was made');
    expect(changed.text).toMatch(/Modified after it was made: it was made by this Tunesmith instance .* but /);

    const notes = await verify('notes.txt', Buffer.from('just some text\n'));
    expect(notes.title).toBe('❔ Cannot check this file');
    expect(notes.text).toMatch(/only Ogg Opus, MP3, WAV, MIDI and its PNG piano rolls can be checked/);

    const original = result.attachment('.ogg').data;
    const truncated = await verify('cut.ogg', original.subarray(0, Math.floor(original.length / 3)));
    expect(truncated.text).toMatch(/truncated/);

    // Refused from the attachment's stated size, before any download.
    const big = await verify('big.ogg', Buffer.alloc(51 * 1024 * 1024));
    expect(big.text).toMatch(/❔ \*\*big\.ogg\*\* is too large to check \(51\.0 MiB; at most 50\.0 MiB\)\./);

    const garbage = await verify('garbage.mid', Buffer.concat([Buffer.from('MThd\0\0\0\x06\0\x01\x4e\x20\0\0', 'latin1'), Buffer.alloc(2000, 0x41)]));
    expect(garbage.title).toBe('❔ Not signed by this Tunesmith');
    expect(garbage.text).toMatch(/carries no Tunesmith manifest/);
  });
});

describe('/about and /license', () => {
  it('/about shows the signing key and what verification cannot prove; /license the terms and the credit', async () => {
    const about = await (await h.discord.invoke('about', {}, h.seeded.alice)).waitForOriginal((m) => m.embeds.length > 0);
    const fields = Object.fromEntries((embedOf(about).fields ?? []).map((f) => [f.name, f.value]));
    expect(fields['Signing key (Ed25519)']).toMatch(/^`[A-Za-z0-9+/]{43}=`\nfingerprint [0-9a-f]{16}$/);
    expect(fields['What /verify can and cannot prove']).toMatch(/re-encoding, converting .* drop them/);
    const license = await (await h.discord.invoke('license', {}, h.seeded.alice)).waitForOriginal((m) => m.embeds.length > 0);
    const text = (embedOf(license).fields ?? []).map((f) => `${f.name}: ${f.value}`).join('\n');
    expect(text).toMatch(/The program: Tunesmith is MIT-licensed/);
    expect(text).toMatch(/Groove MIDI \(Google Magenta, CC BY 4\.0\)/);
    expect(text).toMatch(/Credit asked: “Music: Tunesmith \(AI-generated\)/);
  });
});
