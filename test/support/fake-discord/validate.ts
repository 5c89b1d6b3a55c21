/**
 * Discord's documented limits for message bodies and application commands. The fake rejects
 * what Discord would reject (400, code 50035 "Invalid Form Body", with an `errors` object that
 * discord.js flattens into its error message), so a bot that passes here is valid for Discord.
 */

export type FieldErrors = Record<string, { _errors: { code: string; message: string }[] }>;

class Collector {
  readonly errors: FieldErrors = {};
  add(path: string, message: string, code = 'BASE_TYPE_INVALID'): void {
    (this.errors[path] ??= { _errors: [] })._errors.push({ code, message });
  }
  maxLength(path: string, value: unknown, max: number, min = 0): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string') return this.add(path, 'Must be a string.', 'BASE_TYPE_STRING');
    const n = [...value].length;
    if (n > max) this.add(path, `Must be ${max} or fewer in length.`, 'BASE_TYPE_MAX_LENGTH');
    if (n < min) this.add(path, `Must be ${min} or more in length.`, 'BASE_TYPE_MIN_LENGTH');
  }
  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

type Json = Record<string, unknown>;
const IS_COMPONENTS_V2 = 1 << 15;

export function validateMessageBody(body: Json): FieldErrors | null {
  const c = new Collector();
  c.maxLength('content', body.content, 2000);
  if (Array.isArray(body.embeds)) {
    if (body.embeds.length > 10) c.add('embeds', 'Must be 10 or fewer in length.', 'BASE_TYPE_MAX_LENGTH');
    let total = 0;
    body.embeds.forEach((e: Json, i: number) => {
      const p = `embeds.${i}`;
      c.maxLength(`${p}.title`, e.title, 256);
      c.maxLength(`${p}.description`, e.description, 4096);
      const footer = e.footer as Json | undefined;
      const author = e.author as Json | undefined;
      c.maxLength(`${p}.footer.text`, footer?.text, 2048);
      c.maxLength(`${p}.author.name`, author?.name, 256);
      const fields = (e.fields ?? []) as Json[];
      if (fields.length > 25) c.add(`${p}.fields`, 'Must be 25 or fewer in length.', 'BASE_TYPE_MAX_LENGTH');
      fields.forEach((f, j) => {
        c.maxLength(`${p}.fields.${j}.name`, f.name ?? '', 256, 1);
        c.maxLength(`${p}.fields.${j}.value`, f.value ?? '', 1024, 1);
      });
      for (const s of [e.title, e.description, footer?.text, author?.name, ...fields.flatMap((f) => [f.name, f.value])]) {
        if (typeof s === 'string') total += [...s].length;
      }
    });
    if (total > 6000) c.add('embeds', 'Embed size exceeds maximum size of 6000', 'MAX_EMBED_SIZE_EXCEEDED');
  }
  const flags = Number(body.flags ?? 0);
  if (Array.isArray(body.components) && !(flags & IS_COMPONENTS_V2)) validateComponents(c, body.components as Json[]);
  if (Array.isArray(body.attachments) && body.attachments.length > 10) {
    c.add('attachments', 'Must be 10 or fewer in length.', 'BASE_TYPE_MAX_LENGTH');
  }
  return c.ok ? null : c.errors;
}

function validateComponents(c: Collector, rows: Json[]): void {
  if (rows.length > 5) c.add('components', 'Must be 5 or fewer in length.', 'BASE_TYPE_MAX_LENGTH');
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    const p = `components.${i}`;
    const children = (row.components ?? []) as Json[];
    if (row.type !== 1) return c.add(`${p}.type`, 'Top-level components must be action rows (type 1).', 'COMPONENT_LAYOUT_INVALID');
    if (children.length < 1 || children.length > 5) c.add(`${p}.components`, 'Must be between 1 and 5 in length.', 'BASE_TYPE_BAD_LENGTH');
    const hasSelect = children.some((x) => x.type !== 2);
    if (hasSelect && children.length > 1) c.add(`${p}.components`, 'A select menu must be alone in its row.', 'COMPONENT_LAYOUT_WIDTH_EXCEEDED');
    children.forEach((x, j) => {
      const q = `${p}.components.${j}`;
      const customId = x.custom_id as string | undefined;
      if (customId !== undefined) {
        c.maxLength(`${q}.custom_id`, customId, 100, 1);
        if (ids.has(customId)) c.add(`${q}.custom_id`, 'Component custom id cannot be duplicated', 'COMPONENT_CUSTOM_ID_DUPLICATED');
        ids.add(customId);
      }
      if (x.type === 2) {
        c.maxLength(`${q}.label`, x.label, 80);
        const style = Number(x.style);
        if (!(style >= 1 && style <= 6)) c.add(`${q}.style`, 'Value must be one of {1, 2, 3, 4, 5, 6}.', 'BASE_TYPE_CHOICES');
        if (style === 5 && (!x.url || customId)) c.add(`${q}`, 'Link buttons need a url and no custom_id.', 'BUTTON_COMPONENT_INVALID');
        if (style !== 5 && style !== 6 && !customId) c.add(`${q}.custom_id`, 'This field is required', 'BASE_TYPE_REQUIRED');
        if (!x.label && !x.emoji) c.add(`${q}`, 'A button needs a label or an emoji.', 'BUTTON_COMPONENT_INVALID');
      } else if (x.type === 3) {
        if (!customId) c.add(`${q}.custom_id`, 'This field is required', 'BASE_TYPE_REQUIRED');
        const options = (x.options ?? []) as Json[];
        if (options.length < 1 || options.length > 25) c.add(`${q}.options`, 'Must be between 1 and 25 in length.', 'BASE_TYPE_BAD_LENGTH');
        c.maxLength(`${q}.placeholder`, x.placeholder, 150);
        options.forEach((o, k) => {
          c.maxLength(`${q}.options.${k}.label`, o.label ?? '', 100, 1);
          c.maxLength(`${q}.options.${k}.value`, o.value ?? '', 100, 1);
          c.maxLength(`${q}.options.${k}.description`, o.description, 100);
        });
        const max = Number(x.max_values ?? 1);
        if (max > options.length || max > 25) c.add(`${q}.max_values`, 'max_values exceeds the number of options.', 'BASE_TYPE_MAX');
      } else if (![5, 6, 7, 8].includes(Number(x.type))) {
        c.add(`${q}.type`, `Unsupported component type ${String(x.type)} in an action row.`, 'COMPONENT_TYPE_INVALID');
      }
    });
  });
}

// Discord's name rule for commands and options (chat-input names must also be lowercase).
const NAME_RE = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Validate a bulk-overwrite PUT body (an array of application command definitions). */
export function validateCommands(commands: unknown): FieldErrors | null {
  const c = new Collector();
  if (!Array.isArray(commands)) {
    c.add('_root', 'Must be an array.', 'BASE_TYPE_ARRAY');
    return c.errors;
  }
  const seen = new Set<string>();
  const chatInputCount = commands.filter((x: Json) => (x.type ?? 1) === 1).length;
  if (chatInputCount > 100) c.add('_root', 'Too many chat input commands (max 100).', 'APPLICATION_COMMAND_TOO_MANY');
  commands.forEach((cmd: Json, i) => {
    const type = Number(cmd.type ?? 1);
    const key = `${type}:${String(cmd.name)}`;
    if (seen.has(key)) c.add(`${i}.name`, 'Application command names must be unique', 'APPLICATION_COMMANDS_DUPLICATE_NAME');
    seen.add(key);
    validateInstall(c, i, cmd);
    if (type === 1) {
      validateName(c, `${i}.name`, cmd.name);
      for (const [locale, name] of Object.entries((cmd.name_localizations ?? {}) as Json)) validateName(c, `${i}.name_localizations.${locale}`, name);
      for (const [locale, text] of Object.entries((cmd.description_localizations ?? {}) as Json)) c.maxLength(`${i}.description_localizations.${locale}`, text, 100, 1);
      c.maxLength(`${i}.description`, cmd.description ?? '', 100, 1);
      validateOptions(c, `${i}.options`, (cmd.options ?? []) as Json[], 0);
      if (commandLength(cmd) > 4000) c.add(`${i}`, 'Command exceeds maximum size (4000)', 'APPLICATION_COMMAND_TOO_LARGE');
    } else {
      c.maxLength(`${i}.name`, cmd.name ?? '', 32, 1);
      if (cmd.description) c.add(`${i}.description`, 'Context menu commands cannot have a description.', 'BASE_TYPE_INVALID');
    }
  });
  return c.ok ? null : c.errors;
}

/** Discord's locales (https://discord.com/developers/docs/reference#locales). */
const LOCALES = new Set(['id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'fi', 'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko']);

/** integration_types ⊆ {0 guild, 1 user}, contexts ⊆ {0 guild, 1 bot DM, 2 private channel}, locales known. */
function validateInstall(c: Collector, i: number, cmd: Json): void {
  const subset = (path: string, value: unknown, allowed: number[]) => {
    if (value === undefined || value === null) return;
    if (!Array.isArray(value) || value.length === 0 || value.some((v) => !allowed.includes(v as number))) c.add(`${i}.${path}`, `Must be a non-empty list of ${allowed.join(', ')}.`, 'BASE_TYPE_CHOICES');
  };
  subset('integration_types', cmd.integration_types, [0, 1]);
  subset('contexts', cmd.contexts, [0, 1, 2]);
  for (const key of ['name_localizations', 'description_localizations']) {
    for (const locale of Object.keys((cmd[key] ?? {}) as Json)) if (!LOCALES.has(locale)) c.add(`${i}.${key}.${locale}`, 'Invalid locale.', 'BASE_TYPE_CHOICES');
  }
}

function validateName(c: Collector, path: string, name: unknown): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    c.add(path, 'String value did not match validation regex.', 'STRING_TYPE_REGEX');
  } else if (name !== name.toLowerCase()) {
    c.add(path, 'Command names must be lowercase.', 'APPLICATION_COMMAND_INVALID_NAME');
  }
}

function validateOptions(c: Collector, path: string, options: Json[], depth: number): void {
  if (options.length > 25) c.add(path, 'Must be 25 or fewer in length.', 'BASE_TYPE_MAX_LENGTH');
  const names = new Set<string>();
  let sawOptional = false;
  const isSub = (o: Json) => o.type === 1 || o.type === 2;
  if (options.some(isSub) && !options.every(isSub)) {
    c.add(path, 'Subcommands and groups cannot be mixed with other options.', 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID');
  }
  options.forEach((o, i) => {
    const p = `${path}.${i}`;
    validateName(c, `${p}.name`, o.name);
    if (names.has(String(o.name))) c.add(`${p}.name`, 'Option names must be unique', 'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME');
    names.add(String(o.name));
    c.maxLength(`${p}.description`, o.description ?? '', 100, 1);
    const type = Number(o.type);
    if (!(type >= 1 && type <= 11)) c.add(`${p}.type`, 'Invalid option type.', 'BASE_TYPE_CHOICES');
    if (type === 2 && depth > 0) c.add(`${p}.type`, 'Subcommand groups cannot be nested.', 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID');
    if (type === 1 && depth > 1) c.add(`${p}.type`, 'Subcommands nest at most two levels.', 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID');
    if (type === 2 && ((o.options ?? []) as Json[]).some((x) => x.type !== 1)) {
      c.add(`${p}.options`, 'A subcommand group may only contain subcommands.', 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID');
    }
    if (isSub(o)) return validateOptions(c, `${p}.options`, (o.options ?? []) as Json[], depth + 1);
    if (o.required) {
      if (sawOptional) c.add(`${p}.required`, 'Required options must be placed before non-required options', 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID');
    } else {
      sawOptional = true;
    }
    const choices = o.choices as Json[] | undefined;
    if (choices) {
      if (![3, 4, 10].includes(type)) c.add(`${p}.choices`, 'Only string, integer and number options have choices.', 'BASE_TYPE_INVALID');
      if (choices.length > 25) c.add(`${p}.choices`, 'Must be 25 or fewer in length.', 'BASE_TYPE_MAX_LENGTH');
      if (o.autocomplete) c.add(`${p}.autocomplete`, 'Autocomplete cannot be set with choices.', 'APPLICATION_COMMAND_OPTIONS_AUTOCOMPLETE_INVALID');
      choices.forEach((ch, k) => {
        c.maxLength(`${p}.choices.${k}.name`, ch.name ?? '', 100, 1);
        if (type === 3) c.maxLength(`${p}.choices.${k}.value`, ch.value, 100);
      });
    }
    if (o.autocomplete && ![3, 4, 10].includes(type)) {
      c.add(`${p}.autocomplete`, 'Only string, integer and number options autocomplete.', 'BASE_TYPE_INVALID');
    }
    if (o.max_length !== undefined && !(Number(o.max_length) >= 1 && Number(o.max_length) <= 6000)) {
      c.add(`${p}.max_length`, 'Must be between 1 and 6000.', 'NUMBER_TYPE_MAX');
    }
    if (o.min_length !== undefined && !(Number(o.min_length) >= 0 && Number(o.min_length) <= 6000)) {
      c.add(`${p}.min_length`, 'Must be between 0 and 6000.', 'NUMBER_TYPE_MAX');
    }
    if (o.min_value !== undefined && o.max_value !== undefined && Number(o.min_value) > Number(o.max_value)) {
      c.add(`${p}.min_value`, 'min_value must not exceed max_value.', 'NUMBER_TYPE_MAX');
    }
  });
}

/** Characters counted against Discord's 4000-character limit for one command. */
function commandLength(cmd: Json): number {
  const len = (s: unknown) => (typeof s === 'string' ? [...s].length : 0);
  const walk = (opts: Json[]): number =>
    opts.reduce(
      (n, o) =>
        n + len(o.name) + len(o.description) +
        ((o.choices ?? []) as Json[]).reduce((m, ch) => m + len(ch.name) + len(String(ch.value)), 0) +
        walk((o.options ?? []) as Json[]),
      0,
    );
  return len(cmd.name) + len(cmd.description) + walk((cmd.options ?? []) as Json[]);
}
