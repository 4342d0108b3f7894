/** `mxlock headers <file|->`: was this message delivered through the gateway? (issue 11 item 3, DESIGN §3.4). */
import { withReportOutput } from '../flags.js';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { MAX_INPUT_BYTES } from '../../headers/parse.js';
import { decodeText } from '../../snapshot/decode.js';
import { readInputFile } from '../../snapshot/read.js';
import { outputStyle } from '../output.js';
import { inputsOfRun, writeOutputFile } from '../write-output.js';

interface HeadersFlags {
  export?: string;
  profile?: string;
  format: 'terminal' | 'json';
  out?: string;
  color?: boolean;
  force?: boolean;
}

const WHAT = 'a message, its headers or an mbox';

/** Standard input, bounded like a file. */
async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buf.length;
    if (total > MAX_INPUT_BYTES)
      throw new InputError(`standard input: larger than the ${MAX_INPUT_BYTES}-byte limit for ${WHAT}`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/** A regular file only (a FIFO would block, a device grow without end), read up to MAX_INPUT_BYTES. */
function readMessageFile(path: string): Promise<Uint8Array> {
  return readInputFile(path, {
    role: 'input',
    what: 'the message file',
    limit: { bytes: MAX_INPUT_BYTES, for: WHAT },
  });
}

function decode(bytes: Uint8Array, name: string): string {
  try {
    return decodeText(bytes, name).text;
  } catch (cause) {
    throw new InputError(`${name}: not text (binary data); expected ${WHAT}`, name, undefined, { cause });
  }
}

export function registerHeaders(program: Command): void {
  withReportOutput(
    program
      .command('headers')
      .argument('<file>', 'a .eml file, headers pasted into a text file, an mbox, or - for standard input')
      .summary(
        'read the headers of a delivered message: through the gateway, Enhanced Filtering, enforcement',
      )
      .description(
        "Read a delivered message's headers and say whether it came through the gateway or around it, whether Enhanced " +
          'Filtering judged it against the real sender, and whether EOP overrode its own authentication enforcement ' +
          '(compauth 4xx/9xx, dmarc action=oreject: the Ghost-Sender pattern). With --export and/or --profile the ' +
          "gateway's IPs and your accepted domains are known; without them what cannot be judged is unknown.",
      )
      .option(
        '--export <dir>',
        'export folder or snapshot.json: the gateway (inferred) and the accepted domains',
      )
      .option(
        '-p, --profile <file>',
        'mxlock.yaml: the gateway and hybrid IPs; default <export>/mxlock.yaml',
      ),
    'overwrite the --out file when it exists (never an input)',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ mxlock headers message.eml --export ./export
  $ pbpaste | mxlock headers - --profile mxlock.yaml --format json

Verdicts: via-gateway, bypass (went around the gateway), internal (hybrid/on-premises), unknown.
Exit codes: 0 every message came through the gateway (or is internal) and EOP kept its enforcement; 1 a bypass, an
overridden enforcement (compauth=none 4xx/9xx, dmarc action=oreject) or an unknown verdict; 2 usage or input error.`,
    )
    .action(async (file: string, flags: HeadersFlags) => {
      const [
        { analyseHeaders, needsAttention },
        { headersContext },
        render,
        { findProfile },
        { loadProfile },
        read,
      ] = await Promise.all([
        import('../../headers/analyse.js'),
        import('../../headers/context.js'),
        import('../../report/headers.js'),
        import('../../assess-export.js'),
        import('../../profile/load.js'),
        import('../../snapshot/read.js'),
      ]);
      const name = file === '-' ? 'standard input' : file;
      const text = decode(file === '-' ? await readStdin() : await readMessageFile(file), name);
      let context;
      if (flags.export) {
        const snapshot = await read.readExport(flags.export);
        const { profile } = await findProfile(flags.export, flags.profile);
        context = headersContext(profile, snapshot);
      } else {
        context = headersContext(flags.profile ? await loadProfile(flags.profile) : undefined, undefined);
      }
      const result = analyseHeaders(text, context);
      if (result.messages.length === 0)
        throw new InputError(
          `${name}: no header field found; expected ${WHAT}`,
          file === '-' ? undefined : file,
        );
      const out =
        flags.format === 'json'
          ? render.renderHeadersJson(result)
          : render.renderHeadersTerminal(result, outputStyle(flags));
      if (flags.out) {
        const inputs = await inputsOfRun(flags.export, flags.profile, file === '-' ? [] : [file]);
        await writeOutputFile(flags.out, out, { force: flags.force === true, inputs });
      } else process.stdout.write(out);
      process.exitCode = result.messages.some(needsAttention) ? 1 : 0;
    });
}
