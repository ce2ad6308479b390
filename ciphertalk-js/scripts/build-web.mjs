// `npm run build`: bundles the web app (app/main.js with the SDK and @noble/post-quantum) into
// web/dist/app.js with esbuild (pinned devDependency), so browsers load one ES module from the
// server's web root and need no import map. Copies the bundled packages' licences beside it.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
rmSync(here('web/dist'), { recursive: true, force: true });
mkdirSync(here('web/dist'), { recursive: true });
await build({
  entryPoints: [here('app/main.js')],
  outfile: here('web/dist/app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
cpSync(here('licenses'), here('web/dist/licenses'), { recursive: true });
console.log('web app built: web/dist/app.js');
