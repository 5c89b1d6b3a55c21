/**
 * The user-facing words of talking to Tunesmith, in one place: where each command may be used
 * (installs and contexts), the localised names and descriptions of the commands (German and
 * Spanish besides English), and the lines the bot says in conversation (mentions, replies, DMs).
 *
 * Discord shows a command's name and description in the member's client language when the
 * command has `name_localizations` / `description_localizations` for it; the registry applies
 * these tables to every command module when it loads them (src/bot/registry.ts).
 */
import { ApplicationIntegrationType, InteractionContextType, type LocalizationMap } from 'discord.js';
import { VOLUME } from './voice/manager.ts';

/** Where a command works. */
export type Availability = 'everywhere' | 'guild';

/**
 * "everywhere": installed to a server or to a user, in servers, the bot's DM and other private
 * channels (group DMs). "guild": servers that installed the app only (voice and server settings).
 * A command not listed here is guild-only.
 */
export const AVAILABILITY: Readonly<Record<string, Availability>> = {
  compose: 'everywhere',
  'Compose from this message': 'everywhere',
  styles: 'everywhere',
  help: 'everywhere',
  about: 'everywhere',
  // Streamer kits, checking a file, and the terms need no server (issue 14).
  kit: 'everywhere',
  verify: 'everywhere',
  license: 'everywhere',
  play: 'guild',
  queue: 'guild',
  skip: 'guild',
  stop: 'guild',
  nowplaying: 'guild',
  volume: 'guild',
  radio: 'guild',
  settings: 'guild',
};

export function installFor(name: string): { integrationTypes: ApplicationIntegrationType[]; contexts: InteractionContextType[] } {
  return AVAILABILITY[name] === 'everywhere'
    ? {
        integrationTypes: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
        contexts: [InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel],
      }
    : { integrationTypes: [ApplicationIntegrationType.GuildInstall], contexts: [InteractionContextType.Guild] };
}

interface Localised {
  name?: LocalizationMap;
  description?: LocalizationMap;
  /** Option descriptions by option name. */
  options?: Record<string, LocalizationMap>;
}

/** German, and Spanish for Spain and Latin America alike. */
const deEs = (de: string, es: string): LocalizationMap => ({ de, 'es-ES': es, 'es-419': es });

/** Names follow Discord's rule (lower case for slash commands); context-menu names may have spaces. */
export const COMMAND_LOCALES: Readonly<Record<string, Localised>> = {
  compose: {
    name: { de: 'komponieren', 'es-ES': 'componer', 'es-419': 'componer' },
    description: { de: 'Ein Musikstück nach deiner Beschreibung komponieren', 'es-ES': 'Componer una pieza musical a partir de una descripción', 'es-419': 'Componer una pieza musical a partir de una descripción' },
    options: {
      prompt: { de: 'Was du willst, z. B. „ruhiges Lofi-Intro, 15 Sekunden“', 'es-ES': 'Lo que quieres, p. ej. «intro lofi tranquila, 15 segundos»', 'es-419': 'Lo que quieres, p. ej. «intro lofi tranquila, 15 segundos»' },
      style: { de: 'Stil, z. B. lofi, synthwave, jazz', 'es-ES': 'Estilo, p. ej. lofi, synthwave, jazz', 'es-419': 'Estilo, p. ej. lofi, synthwave, jazz' },
      mood: { de: 'Stimmung, z. B. calm, epic, sad', 'es-ES': 'Ánimo, p. ej. calm, epic, sad', 'es-419': 'Ánimo, p. ej. calm, epic, sad' },
      duration: { de: 'Länge: 15, 90s, 1:30, 2 min (1–300 Sekunden)', 'es-ES': 'Duración: 15, 90s, 1:30, 2 min (1–300 segundos)', 'es-419': 'Duración: 15, 90s, 1:30, 2 min (1–300 segundos)' },
      format: { de: 'Audioformat (Standard: Servereinstellung, Ogg Opus)', 'es-ES': 'Formato de audio (por defecto: el del servidor, Ogg Opus)', 'es-419': 'Formato de audio (por defecto: el del servidor, Ogg Opus)' },
    },
  },
  'Compose from this message': {
    name: { de: 'Aus dieser Nachricht komponieren', 'es-ES': 'Componer desde este mensaje', 'es-419': 'Componer desde este mensaje' },
  },
  styles: {
    name: { de: 'stile', 'es-ES': 'estilos', 'es-419': 'estilos' },
    description: { de: 'Alle Stile und Stimmungen, die Tunesmith kennt', 'es-ES': 'Todos los estilos y ánimos que conoce Tunesmith', 'es-419': 'Todos los estilos y ánimos que conoce Tunesmith' },
  },
  help: {
    name: { de: 'hilfe', 'es-ES': 'ayuda', 'es-419': 'ayuda' },
    description: { de: 'So benutzt du Tunesmith', 'es-ES': 'Cómo usar Tunesmith', 'es-419': 'Cómo usar Tunesmith' },
  },
  about: {
    name: { de: 'info', 'es-ES': 'acerca', 'es-419': 'acerca' },
    description: { de: 'Versionen, Modelle und Lizenzen', 'es-ES': 'Versiones, modelos y licencias', 'es-419': 'Versiones, modelos y licencias' },
  },
  play: {
    name: { de: 'abspielen', 'es-ES': 'reproducir', 'es-419': 'reproducir' },
    description: { de: 'Ein Stück komponieren und in deinem Sprachkanal abspielen', 'es-ES': 'Componer una pieza y reproducirla en tu canal de voz', 'es-419': 'Componer una pieza y reproducirla en tu canal de voz' },
  },
  kit: {
    name: deEs('streamkit', 'kitstream'),
    description: deEs('Streamer-Kit: Intro, Outro, BRB- und Starting-Soon-Loops und ein Stinger, die zusammenpassen', 'Kit para streamers: intro, outro, bucles de pausa y de inicio, y un stinger a juego'),
    options: {
      name: deEs('Name deines Streams oder Kits, z. B. „Late Night Lofi“', 'Nombre de tu stream o kit, p. ej. «Late Night Lofi»'),
      style: deEs('Stil, z. B. lofi, synthwave, chiptune', 'Estilo, p. ej. lofi, synthwave, chiptune'),
      mood: deEs('Stimmung, z. B. calm, energetic, happy', 'Ánimo, p. ej. calm, energetic, happy'),
      seed: deEs('Ein früheres Kit genau wiederholen', 'Repetir exactamente un kit anterior'),
      format: deEs('Audioformat (Standard: Servereinstellung, Ogg Opus)', 'Formato de audio (por defecto: el del servidor, Ogg Opus)'),
    },
  },
  verify: {
    name: deEs('prüfen', 'verificar'),
    description: deEs('Prüfen, ob eine Datei von diesem Tunesmith stammt und unverändert ist', 'Comprobar si un archivo lo hizo este Tunesmith y no se ha modificado'),
    options: { file: deEs('Eine Ogg-, MP3-, WAV- oder MIDI-Datei, die Tunesmith gepostet hat', 'Un archivo Ogg, MP3, WAV o MIDI que publicó Tunesmith') },
  },
  license: {
    name: deEs('lizenz', 'licencia'),
    description: deEs('Was du mit Tunesmiths Musik machen darfst und welche Nennung erbeten wird', 'Qué puedes hacer con la música de Tunesmith y qué crédito se pide'),
  },
  queue: {
    name: deEs('warteschlange', 'cola'),
    description: deEs('Was im Sprachkanal läuft und was danach kommt', 'Qué suena en el canal de voz y qué viene después'),
  },
  skip: {
    name: deEs('überspringen', 'saltar'),
    description: deEs('Das laufende Stück im Sprachkanal überspringen', 'Saltar la pieza que suena en el canal de voz'),
  },
  stop: {
    name: deEs('stopp', 'detener'),
    description: deEs('Wiedergabe beenden, Warteschlange leeren und den Sprachkanal verlassen', 'Detener, vaciar la cola y salir del canal de voz'),
  },
  nowplaying: {
    name: deEs('läuftgerade', 'sonandoahora'),
    description: deEs('Das Stück, das im Sprachkanal läuft, mit Fortschritt', 'La pieza que suena en el canal de voz, con su progreso'),
  },
  volume: {
    name: deEs('lautstärke', 'volumen'),
    description: deEs('Die Lautstärke im Sprachkanal für diesen Server zeigen oder setzen', 'Ver o ajustar el volumen de voz de este servidor'),
    options: { percent: deEs(`${VOLUME.min}–${VOLUME.max} (100 = normal)`, `${VOLUME.min}–${VOLUME.max} (100 = normal)`) },
  },
  settings: {
    name: deEs('einstellungen', 'ajustes'),
    description: deEs('Tunesmiths Servereinstellungen (ändern braucht „Server verwalten“)', 'Ajustes de Tunesmith en el servidor (cambiarlos requiere «Gestionar servidor»)'),
  },
  radio: {
    name: deEs('radio', 'radio'),
    description: { de: 'Endlos neue Musik in deinem Sprachkanal, von den Zuhörern gesteuert', 'es-ES': 'Música nueva sin fin en tu canal de voz, guiada por quienes escuchan', 'es-419': 'Música nueva sin fin en tu canal de voz, guiada por quienes escuchan' },
  },
};

/** What the bot says in conversation. */
export const CHAT = {
  examplesIntro: 'Mention me with what you want, for example:',
  editExamplesIntro: 'Reply to a piece with what to change, for example:',
  editExamples: ['slower', 'make it darker', 'add strings', 'no drums', 'twice as long', 'another like this but happier', 'as mp3'],
  emptyPrompt: 'Tell me what to compose.',
  notUnderstoodEdit: (words: string) => `🤔 I didn't understand ${words} as a change, so I left the piece as it is.`,
  nearest: (words: string) => `Nearest words I know: ${words}.`,
  tooOld: 'I no longer have that piece, and I could not read its MIDI file. Mention me with a new prompt (its seed is in the result) to make it again.',
  nothingToRepeat: "I don't remember the last change to this piece any more. Say what to change, e.g. “slower”.",
  flood: (seconds: number) => `⏳ Slow down a little: I'll answer your next request in about ${seconds} s.`,
  refused: (why: string) => `⚠️ ${why}`,
  tooLong: (max: number, seconds: number) => `This server allows pieces up to ${max} s; that would be ${seconds} s.`,
  cannotEdit: (why: string) => `🤷 ${why}`,
  failed: '⚠️ Something went wrong on my side; please try again.',
} as const;
