import { PermissionFlagsBits as P } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { canControl, isFullFor, missingVoicePermissions, type ControlRequest } from '../../src/bot/voice/rules.ts';
import { mmss, progressBar, queueText, say } from '../../src/bot/voice/text.ts';
import type { TrackInfo } from '../../src/bot/voice/track.ts';

describe('voice permissions', () => {
  it('names every missing permission the bot needs in the channel', () => {
    expect(missingVoicePermissions(P.ViewChannel | P.Connect | P.Speak)).toEqual([]);
    expect(missingVoicePermissions(P.ViewChannel | P.Speak)).toEqual(['Connect']);
    expect(missingVoicePermissions(P.ViewChannel)).toEqual(['Connect', 'Speak']);
    expect(missingVoicePermissions(0n)).toEqual(['View Channel', 'Connect', 'Speak']);
    expect(say.missingPermissions('1', ['Connect', 'Speak'])).toMatch(/missing the \*\*Connect\*\* and \*\*Speak\*\* permissions there/);
    expect(say.missingPermissions('1', ['Speak'])).toMatch(/missing the \*\*Speak\*\* permission there\. A server admin can allow it/);
  });

  it('a full channel keeps the bot out unless it may Move Members', () => {
    expect(isFullFor({ userLimit: 0, members: 50 }, P.Connect)).toBe(false);
    expect(isFullFor({ userLimit: 2, members: 1 }, P.Connect)).toBe(false);
    expect(isFullFor({ userLimit: 2, members: 2 }, P.Connect)).toBe(true);
    expect(isFullFor({ userLimit: 2, members: 2 }, P.Connect | P.MoveMembers)).toBe(false);
  });
});

describe('DJ rules', () => {
  const base: ControlRequest = { userId: 'u1', isManager: false, roleIds: [], djRoleId: null, inBotChannel: true, affectedRequesters: ['u2'] };
  const cases: [string, Partial<ControlRequest>, ReturnType<typeof canControl>][] = [
    ['no DJ role: anyone listening may act on anything', {}, { ok: true }],
    ['no DJ role, but not in the bot’s channel', { inBotChannel: false }, { ok: false, reason: 'not-in-channel' }],
    ['DJ role set: someone else’s track needs it', { djRoleId: 'dj' }, { ok: false, reason: 'dj-required' }],
    ['DJ role set: one’s own tracks are fine', { djRoleId: 'dj', affectedRequesters: ['u1', 'u1'] }, { ok: true }],
    ['DJ role set: nothing affected is fine', { djRoleId: 'dj', affectedRequesters: [] }, { ok: true }],
    ['DJ role set: a mix of own and others’ needs it', { djRoleId: 'dj', affectedRequesters: ['u1', 'u2'] }, { ok: false, reason: 'dj-required' }],
    ['the DJ may act from anywhere', { djRoleId: 'dj', roleIds: ['dj'], inBotChannel: false }, { ok: true }],
    ['Manage Server may act from anywhere', { djRoleId: 'dj', isManager: true, inBotChannel: false }, { ok: true }],
    ['another role is not the DJ role', { djRoleId: 'dj', roleIds: ['other'] }, { ok: false, reason: 'dj-required' }],
  ];
  for (const [name, patch, expected] of cases) {
    it(name, () => expect(canControl({ ...base, ...patch })).toEqual(expected));
  }
});

describe('voice texts', () => {
  const track = (title: string, durationSec: number, requestedBy = 'u1'): TrackInfo => ({
    title, style: 'lofi', mood: 'calm', key: 'C major', bpm: 80, durationSec, seed: 7, loop: false, requestedBy, origin: 'stored',
  });

  it('formats times and a progress bar that moves with the position', () => {
    expect(mmss(0)).toBe('0:00');
    expect(mmss(65.9)).toBe('1:05');
    expect(progressBar(0, 30)).toBe('`🔘▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬` 0:00 / 0:30');
    expect(progressBar(15, 30)).toBe('`▬▬▬▬▬▬▬▬🔘▬▬▬▬▬▬▬` 0:15 / 0:30');
    expect(progressBar(30, 30)).toBe('`▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬🔘` 0:30 / 0:30');
    expect(progressBar(99, 30)).toContain('🔘`'); // clamped
  });

  it('lists the queue with what is left in all', () => {
    const text = queueText({ track: track('One', 60), positionSec: 20 }, [track('Two', 30, 'u2'), track('Three', 10)], { volumePercent: 80, channelId: '9' });
    expect(text).toMatch(/^▶️ \*\*One\*\*.* 0:20 \/ 1:00 · <@u1>/);
    expect(text).toContain('1. **Two**');
    expect(text).toContain('2. **Three**');
    expect(text).toMatch(/2 queued · 1:20 left in all · volume 80%/);
    expect(queueText(null, [], { volumePercent: 100, channelId: '9' })).toBe(say.nothingPlaying);
  });

  it('keeps a long queue under Discord’s message limit', () => {
    const many = Array.from({ length: 20 }, (_, i) => track(`Piece ${i} ${'x'.repeat(80)}`, 30));
    const text = queueText({ track: many[0]!, positionSec: 0 }, many, { volumePercent: 100, channelId: '9' });
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text).toMatch(/…and \d+ more\n-# In <#9> · 20 queued/);
    const few = Array.from({ length: 18 }, (_, i) => track(`P${i}`, 30));
    expect(queueText({ track: few[0]!, positionSec: 0 }, few, { volumePercent: 100, channelId: '9' })).toContain('…and 3 more');
  });
});
