import { describe, expect, it } from 'vitest';
import { ContextMenuCommandBuilder } from 'discord.js';
import { loadCommands } from '../../src/bot/registry.ts';

// Discord's rule for slash-command names in any locale (lower case, no spaces, 1–32 characters).
const SLASH_NAME = /^[-_'\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

describe('every command speaks German and Spanish', () => {
  it('has a German and a Spanish name and description, valid by Discord’s rules', async () => {
    const commands = await loadCommands();
    expect(commands.size).toBeGreaterThanOrEqual(15);
    for (const [name, mod] of commands) {
      const json = mod.data.toJSON() as { name_localizations?: Record<string, string>; description_localizations?: Record<string, string> };
      for (const locale of ['de', 'es-ES', 'es-419']) {
        const localised = json.name_localizations?.[locale];
        expect(localised, `${name} name in ${locale}`).toBeTruthy();
        if (mod.data instanceof ContextMenuCommandBuilder) continue;
        expect(localised, `${name} name in ${locale}`).toMatch(SLASH_NAME);
        const description = json.description_localizations?.[locale] ?? '';
        expect(description.length, `${name} description in ${locale}`).toBeGreaterThan(0);
        expect(description.length, `${name} description in ${locale}`).toBeLessThanOrEqual(100);
      }
    }
  });

  it('no two commands share a name in one language', async () => {
    const commands = await loadCommands();
    for (const locale of ['de', 'es-ES']) {
      const names = [...commands.values()].map((m) => (m.data.toJSON() as { name_localizations?: Record<string, string> }).name_localizations?.[locale]);
      expect(new Set(names).size, locale).toBe(names.length);
    }
  });
});
