// Registers (or updates) the `/lab` application command with Discord: globally, or in one guild when
// DISCORD_GUILD_ID is set (guild commands appear at once; global ones can take up to an hour). Idempotent: Discord's
// bulk overwrite replaces the application's commands with exactly this list.
// Usage: DISCORD_APPLICATION_ID=... DISCORD_BOT_TOKEN=... [DISCORD_GUILD_ID=...] bash services/discord-adapter/scripts/register-commands.sh
import { REST } from '@discordjs/rest';
import { labCommandDefinition } from '../src/lab-command-definition';

async function main(): Promise<void> {
  const env = process.env;
  const applicationId = env.DISCORD_APPLICATION_ID ?? '';
  const token = env.DISCORD_BOT_TOKEN ?? '';
  const guildId = env.DISCORD_GUILD_ID;
  if (!/^[0-9]{15,21}$/.test(applicationId)) throw new Error('DISCORD_APPLICATION_ID must be a Discord snowflake id');
  if (!token) throw new Error('DISCORD_BOT_TOKEN is required');
  if (guildId !== undefined && !/^[0-9]{15,21}$/.test(guildId))
    throw new Error('DISCORD_GUILD_ID must be a Discord snowflake id');
  const rest = new REST({ api: env.DISCORD_API_URL ?? 'https://discord.com/api', version: '10' }).setToken(token);
  const route = guildId
    ? (`/applications/${applicationId}/guilds/${guildId}/commands` as const)
    : (`/applications/${applicationId}/commands` as const);
  const registered = (await rest.put(route, { body: [labCommandDefinition] })) as { id: string; name: string }[];
  process.stdout.write(
    `registered ${registered.map((c) => `/${c.name} (${c.id})`).join(', ')} ${guildId ? `in guild ${guildId}` : 'globally'}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`register-commands: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
