import type { Argument, Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defaultDbPath } from './paths.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** A completion: the word, and a description zsh and fish show beside it. */
export interface Candidate {
  value: string;
  description: string;
}

type IdKind = 'account' | 'connection';

/**
 * What may come next on `banksync <words…>`; the last word is the one being completed (may be
 * empty). Read from the commander program itself, so a new command or flag completes without
 * a list kept by hand; account and connection ids come from the database, opened read-only.
 * Never throws for a word it does not know: completion must stay silent.
 */
export function complete(program: Command, words: string[], env: NodeJS.ProcessEnv): Candidate[] {
  const current = words.at(-1) ?? '';
  let cmd = program;
  let position = 0; // positional arguments given to cmd so far
  let pending: Option | undefined; // an option still waiting for its value
  let dbPath: string | undefined;
  for (const word of words.slice(0, -1)) {
    if (pending) {
      if (pending.long === '--db') dbPath = word;
      pending = undefined;
    } else if (word.startsWith('-') && word !== '-') {
      const [flag, inline] = word.split(/=(.*)/s);
      const option = findOption(cmd, flag!);
      if (option?.long === '--db' && inline !== undefined) dbPath = inline;
      if (option && (option.required || option.optional) && inline === undefined) pending = option;
    } else {
      const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
      if (sub && position === 0) [cmd, position] = [sub, 0];
      else position++;
    }
  }
  const ids = (kind: IdKind) => storedIds(kind, dbPath ?? defaultDbPath(env));
  let found: Candidate[];
  if (pending) {
    found = valuesOf(pending.argChoices, `${pending.long ?? ''} ${pending.description}`, ids);
  } else if (current.startsWith('-')) {
    found = options(cmd);
  } else {
    const arg = cmd.registeredArguments[position] ?? (cmd.registeredArguments.at(-1)?.variadic ? cmd.registeredArguments.at(-1) : undefined);
    found = [...(position === 0 ? commands(cmd) : []), ...(arg ? valuesOf(arg.argChoices, `${arg.name()} ${arg.description}`, ids) : [])];
  }
  return found.filter((c) => c.value.startsWith(current));
}

function findOption(cmd: Command, flag: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
  }
  return undefined;
}

function commands(cmd: Command): Candidate[] {
  return cmd
    .createHelp()
    .visibleCommands(cmd)
    .filter((c) => c.name() !== 'help')
    .map((c) => ({ value: c.name(), description: c.description() }));
}

/** The command's own long flags, then the global ones. */
function options(cmd: Command): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.createHelp().visibleOptions(c)) {
      // --version belongs to banksync alone; each command has its own --help.
      const inherited = c !== cmd && (o.long === '--help' || o.long === '--version');
      if (o.long && !seen.has(o.long) && !inherited) {
        seen.add(o.long);
        out.push({ value: o.long, description: o.description });
      }
    }
  }
  return out;
}

/** Fixed choices, or ids where the argument or option names an account or a connection. */
function valuesOf(choices: Option['argChoices'] | Argument['argChoices'], about: string, ids: (kind: IdKind) => Candidate[]): Candidate[] {
  if (choices) return choices.map((value) => ({ value, description: '' }));
  if (/\baccounts?\b/i.test(about)) return ids('account');
  if (/\bconnections?\b/i.test(about)) return ids('connection');
  return [];
}

const SQL: Record<IdKind, string> = {
  account: `SELECT 'a' || a.id AS id, c.institution_name || ' · ' || a.name AS about
              FROM accounts a LEFT JOIN connections c ON c.id = a.connection_id ORDER BY a.id`,
  connection: `SELECT 'c' || id AS id, institution_name || ' via ' || provider_id AS about FROM connections ORDER BY id`,
};

/** Read-only, never creates the file, gives up at once when locked; any failure means no ids. */
function storedIds(kind: IdKind, path: string): Candidate[] {
  if (path === ':memory:' || !existsSync(path)) return [];
  try {
    // Loaded only here: completing a command name needs no native module.
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 100 });
    try {
      const rows = db.prepare(SQL[kind]).all() as { id: string; about: string | null }[];
      return rows.map((r) => ({ value: r.id, description: r.about ?? 'file' }));
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

/**
 * The script each shell sources. Each asks `banksync __complete -- <words…>` (one candidate a
 * line, a tab before its description) and falls back to file names when there is none, as
 * for `import FILE` or `--output FILE`.
 */
export function completionScript(shell: Shell): string {
  return SCRIPTS[shell];
}

const SCRIPTS: Record<Shell, string> = {
  bash: `# banksync completion for bash: source <(banksync completion bash)
_banksync() {
  local IFS=$'\\n' line
  local -a found=()
  while IFS= read -r line; do
    found+=("\${line%%$'\\t'*}")
  done < <(banksync __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=("\${found[@]}")
}
complete -o default -F _banksync banksync
`,
  zsh: `#compdef banksync
# banksync completion for zsh: banksync completion zsh > ~/.zfunc/_banksync  (~/.zfunc in $fpath)
_banksync() {
  local -a found
  local line value about
  while IFS= read -r line; do
    value=\${line%%$'\\t'*}
    about=\${line#*$'\\t'}
    found+=("\${value//:/\\\\:}:\${about}")
  done < <(banksync __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)
  if (( \${#found} )); then
    _describe -t values 'banksync' found
  else
    _files
  fi
}
if [[ \${funcstack[1]} == _banksync ]]; then
  _banksync "$@"
else
  compdef _banksync banksync
fi
`,
  fish: `# banksync completion for fish: banksync completion fish > ~/.config/fish/completions/banksync.fish
function __banksync_complete
    set -l words (commandline -opc)[2..-1]
    set -l current (commandline -ct)
    set -l found (banksync __complete -- $words "$current" 2>/dev/null)
    if test (count $found) -gt 0
        printf '%s\\n' $found
    else
        __fish_complete_path "$current"
    end
end
complete -c banksync -f -a '(__banksync_complete)'
`,
};
