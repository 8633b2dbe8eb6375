import { Argument, type Command } from 'commander';
import { complete, completionScript, SHELLS, type Shell } from '../completion.js';
import type { CliIo } from '../io.js';

export function registerCompletion(program: Command, { env, stdout }: Pick<CliIo, 'env' | 'stdout'>): void {
  program
    .command('completion')
    .description('print the shell completion script for bash, zsh or fish (commands, flags, account and connection ids)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices([...SHELLS]))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ source <(banksync completion bash)      # this shell; add the line to ~/.bashrc to keep it',
        '  $ banksync completion bash > ~/.local/share/bash-completion/completions/banksync',
        '  $ banksync completion zsh > ~/.zfunc/_banksync   # with fpath=(~/.zfunc $fpath) before compinit',
        '  $ banksync completion fish > ~/.config/fish/completions/banksync.fish',
      ].join('\n'),
    )
    // The script is data for the shell: written as is, not through Output.
    .action((shell: Shell) => void stdout.write(completionScript(shell)));

  // Called by those scripts on every Tab: fast, silent, never a prompt, never a new database.
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action((words: string[]) => {
      try {
        const lines = complete(program, words.length ? words : [''], env).map((c) => (c.description ? `${c.value}\t${oneLine(c.description)}` : c.value));
        if (lines.length) stdout.write(`${lines.join('\n')}\n`);
      } catch {
        // Nothing to offer beats an error in the middle of someone's command line.
      }
    });
}

// Descriptions come from our help text and from the database (an account's name): one line, printable.
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
