// The `/lab` command, the same for every chat provider: Slack sends it as text ("start sandbox 1.36"), Discord as
// sub-command options; both end up as one LabCommand, so what a command does is decided once.

export type LabCommand =
  | { kind: 'list' }
  | { kind: 'start'; labId: string; kubernetesVersion?: string }
  | { kind: 'status' }
  | { kind: 'extend' }
  | { kind: 'stop' }
  | { kind: 'help'; problem?: string };

const labIdPattern = /^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/;
const versionPattern = /^1\.[0-9]{2}$/;

export const labCommandUsage =
  'Usage: `/lab list` · `/lab start <lab> [version]` · `/lab status` · `/lab extend` · `/lab stop`';

/** Reads the text after `/lab`. Anything it does not understand is `help`, with what was wrong. */
export function parseLabCommand(text: string): LabCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [verb = 'help', ...args] = words;
  switch (verb.toLowerCase()) {
    case 'list':
    case 'status':
    case 'extend':
    case 'stop':
      return args.length === 0
        ? { kind: verb.toLowerCase() as 'list' | 'status' | 'extend' | 'stop' }
        : { kind: 'help', problem: `\`${verb}\` takes no arguments` };
    case 'start':
      return startCommand(args[0], args[1], args.length);
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'help', problem: `unknown command \`${verb.slice(0, 40)}\`` };
  }
}

/** The same command from Discord's application-command options (sub-command name plus `lab` / `version`). */
export function labCommandFromOptions(name: string, options: Record<string, string | undefined>): LabCommand {
  if (name === 'start') return startCommand(options.lab, options.version, options.version === undefined ? 1 : 2);
  return parseLabCommand(name);
}

function startCommand(labId: string | undefined, version: string | undefined, count: number): LabCommand {
  if (!labId) return { kind: 'help', problem: '`start` needs a lab id: `/lab start <lab> [version]`' };
  if (count > 2) return { kind: 'help', problem: '`start` takes a lab id and an optional version' };
  if (!labIdPattern.test(labId)) return { kind: 'help', problem: `\`${labId.slice(0, 60)}\` is not a lab id` };
  if (version !== undefined && !versionPattern.test(version))
    return { kind: 'help', problem: `\`${version.slice(0, 20)}\` is not a Kubernetes version like 1.36` };
  return version === undefined ? { kind: 'start', labId } : { kind: 'start', labId, kubernetesVersion: version };
}
